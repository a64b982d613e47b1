import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { TcpProxy } from '../support/tcp-proxy.js';
import { TestDatabase, TestRedis } from '../support/servers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait.js';

interface Outcome {
  status: number;
  id?: string;
  cache?: string;
  ms: number;
}

const MAX_TRAFFIC_MS = 20_000;
const loads: { stop(): Promise<Outcome[]> }[] = [];

/**
 * Sends queries with `concurrency` workers until `stop()` is called (or a hard time bound, so a
 * failed assertion can never leave it running); records every outcome.
 */
function traffic(app: TestApp, prompt: (i: number) => string, concurrency = 4) {
  const outcomes: Outcome[] = [];
  let running = true;
  let n = 0;
  const deadline = Date.now() + MAX_TRAFFIC_MS;
  const worker = async () => {
    while (running && Date.now() < deadline) {
      const started = Date.now();
      const res = await request(app.server)
        .post('/query')
        .send({ prompt: prompt(n++) });
      outcomes.push({
        status: res.status,
        id: res.body?.id,
        cache: res.headers['x-cache'],
        ms: Date.now() - started,
      });
      await sleep(10);
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, worker));
  const load = {
    outcomes,
    stop: async () => {
      running = false;
      await done;
      return outcomes;
    },
  };
  loads.push(load);
  return load;
}

const metricsText = async (app: TestApp) => (await request(app.server).get('/metrics')).text;
/** The value of one sample (`name` with its labels) in a Prometheus text exposition. */
function metric(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  if (!line) throw new Error(`no sample ${sample} in /metrics`);
  return Number(line.slice(sample.length + 1));
}

const ready = async (app: TestApp) =>
  (await request(app.server).get('/ready')).body as {
    ready: boolean;
    status: string;
    checks: Record<string, string>;
  };

/**
 * Outages of the real servers, simulated by cutting TCP proxies the test owns (the shared
 * servers keep running): no query fails, readiness tells the truth, and everything recovers.
 */
describe('dependency outages', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let t: TestApp | undefined;

  const boot = (vars: Record<string, string> = {}) =>
    createTestApp({
      DATABASE_URL: pgProxy.rewrite(db.url),
      REDIS_URL: redisProxy.rewrite(redis.url),
      REDIS_KEY_PREFIX: redis.prefix,
      DATABASE_MIGRATE_ON_START: 'true',
      READINESS_TIMEOUT_MS: '500',
      ...vars,
    });
  const storedIds = async (ids: string[]) =>
    (await db.query<{ id: string }>('SELECT id FROM query_history WHERE id = ANY($1)', [ids])).map(
      (r) => r.id,
    );

  beforeAll(async () => {
    db = await TestDatabase.create();
    redis = await TestRedis.create();
    const pg = new URL(db.url);
    const rd = new URL(redis.url);
    pgProxy = await TcpProxy.start(pg.hostname, Number(pg.port || 5432));
    redisProxy = await TcpProxy.start(rd.hostname, Number(rd.port || 6379));
  });
  afterEach(async () => {
    await Promise.all(loads.splice(0).map((l) => l.stop()));
    await pgProxy.restore();
    await redisProxy.restore();
    await t?.close();
    t = undefined;
  });
  afterAll(async () => {
    await pgProxy.close();
    await redisProxy.close();
    await redis.close();
    await db.drop();
  });

  it('PostgreSQL outage under traffic: no query fails, readiness turns and recovers, no record is lost', async () => {
    t = await boot();
    const app = t;
    await waitFor('ready', async () => (await ready(app)).ready);
    const load = traffic(app, (i) => `pg outage ${i}`);
    await sleep(300);

    await pgProxy.cut();
    await waitFor(
      'database down in /ready',
      async () => (await ready(app)).checks.database === 'down',
      5_000,
    );
    const down = await request(app.server).get('/ready');
    expect(down.status).toBe(503); // a configured database is required by default
    expect(down.body).toMatchObject({ ready: false, status: 'unavailable' });
    await request(app.server).get('/health').expect(200);
    await sleep(700);
    const during = await metricsText(app);
    expect(metric(during, 'history_buffer_depth')).toBeGreaterThan(0);
    expect(metric(during, 'dependency_up{dependency="database"}')).toBe(0);

    await pgProxy.restore();
    await waitFor('database back in /ready', async () => (await ready(app)).ready, 5_000);
    await sleep(200);
    const outcomes = await load.stop();

    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    const ids = outcomes.map((o) => o.id as string);
    await waitFor(
      'every record written',
      async () => (await storedIds(ids)).length === ids.length,
      5_000,
    );
    const after = await metricsText(app);
    expect(metric(after, 'history_buffer_dropped_total')).toBe(0);
    expect(metric(after, 'history_buffer_depth')).toBe(0);
    expect(metric(after, 'dependency_up{dependency="database"}')).toBe(1);
  });

  it('PostgreSQL outage under 100 kB prompts: the buffer keeps its byte bound and loses nothing within it', async () => {
    const bound = 1024 * 1024;
    t = await boot({ HISTORY_BUFFER_MAX_BYTES: '1mb' });
    const app = t;
    await waitFor('ready', async () => (await ready(app)).ready);
    const words = 'the quick brown fox jumps over the lazy dog '.repeat(2_500);
    let n = 0;
    const ask = async (): Promise<string> => {
      const prompt = `${n++} ${words}`.slice(0, 100_000);
      const res = await request(app.server).post('/query').send({ prompt }).expect(200);
      return res.body.id as string;
    };
    const outage = async () => {
      await pgProxy.cut();
      await waitFor('database down', async () => (await ready(app)).checks.database === 'down');
    };

    // Within the bound (each record counts about 200 kB, so five fit in 1 MiB): nothing is lost.
    await outage();
    const within: string[] = [];
    for (let i = 0; i < 4; i++) within.push(await ask());
    const held = await metricsText(app);
    expect(metric(held, 'history_buffer_depth')).toBe(4);
    expect(metric(held, 'history_buffer_bytes')).toBeLessThanOrEqual(bound);
    expect(metric(held, 'history_buffer_dropped_total')).toBe(0);
    await pgProxy.restore();
    await waitFor('buffered records written', async () => (await storedIds(within)).length === 4);

    // Beyond the bound: the oldest go, the bytes held never exceed it, the newest are kept.
    await outage();
    const beyond: string[] = [];
    for (let i = 0; i < 12; i++) {
      beyond.push(await ask());
      expect(metric(await metricsText(app), 'history_buffer_bytes')).toBeLessThanOrEqual(bound);
    }
    const full = await metricsText(app);
    expect(metric(full, 'history_buffer_depth')).toBe(5);
    expect(metric(full, 'history_buffer_dropped_total')).toBe(7);
    await pgProxy.restore();
    await waitFor(
      'the newest records written',
      async () => (await storedIds(beyond.slice(7))).length === 5,
    );
    expect(await storedIds(beyond.slice(0, 7))).toEqual([]);
    const after = await metricsText(app);
    expect(metric(after, 'history_buffer_depth')).toBe(0);
    expect(metric(after, 'history_buffer_bytes')).toBe(0);
  });

  it('Redis outage under traffic: misses instead of errors, bounded waits, degraded then recovered', async () => {
    t = await boot();
    const app = t;
    await waitFor('ready', async () => (await ready(app)).checks.cache === 'up');
    await request(app.server).post('/query').send({ prompt: 'hot prompt' }).expect(200);
    expect(
      (await request(app.server).post('/query').send({ prompt: 'hot prompt' })).headers['x-cache'],
    ).toBe('HIT');

    const load = traffic(app, () => 'hot prompt');
    await sleep(200);
    await redisProxy.cut();
    await waitFor(
      'cache down in /ready',
      async () => (await ready(app)).checks.cache === 'down',
      5_000,
    );
    const degraded = await request(app.server).get('/ready');
    expect(degraded.status).toBe(200); // the cache is optional by default
    expect(degraded.body).toMatchObject({ ready: true, status: 'degraded' });
    await sleep(500);
    const duringOutage = load.outcomes.length;

    await redisProxy.restore();
    await waitFor(
      'cache back in /ready',
      async () => (await ready(app)).checks.cache === 'up',
      5_000,
    );
    await waitFor(
      'hits again',
      async () => {
        const res = await request(app.server).post('/query').send({ prompt: 'hot prompt' });
        return res.headers['x-cache'] === 'HIT';
      },
      5_000,
    );
    const outcomes = await load.stop();

    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    const outage = outcomes.slice(0, duringOutage).filter((o) => o.cache === 'MISS');
    expect(outage.length).toBeGreaterThan(0);
    // REDIS_COMMAND_TIMEOUT_MS (100) bounds every wait on Redis; allow for test-machine noise.
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(1_000);
  });

  it('starts while both servers are down, serves, and becomes ready when they come up', async () => {
    await pgProxy.cut();
    await redisProxy.cut();
    t = await boot();
    const app = t;
    await request(app.server).get('/health').expect(200);
    const before = await request(app.server).get('/ready');
    expect(before.status).toBe(503);
    expect(before.body.checks).toMatchObject({ database: 'down', cache: 'down' });
    const early = await request(app.server)
      .post('/query')
      .send({ prompt: 'before the servers' })
      .expect(200);
    expect(early.headers['x-cache']).toBe('MISS');

    await pgProxy.restore();
    await redisProxy.restore();
    await waitFor(
      'ready after servers came up',
      async () => {
        const r = await ready(app);
        return r.ready && r.checks.cache === 'up';
      },
      8_000,
    );
    await waitFor(
      'buffered record written',
      async () => (await storedIds([early.body.id])).length === 1,
      5_000,
    );
  });

  it('flushes buffered records on shutdown', async () => {
    t = await boot();
    const app = t;
    await waitFor('ready', async () => (await ready(app)).ready);
    await pgProxy.cut();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await request(app.server)
            .post('/query')
            .send({ prompt: `flush ${i}` })
            .expect(200)
        ).body.id,
      );
    }
    await pgProxy.restore();
    await app.close();
    t = undefined;
    expect((await storedIds(ids)).sort()).toEqual([...ids].sort());
  });
});
