import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, testKey } from '../support/api-keys.js';
import { TestRedis } from '../support/servers.js';
import { ServiceProcess } from '../support/service-process.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const cacheUp = async (service: ServiceProcess) =>
  ((await (await fetch(`${service.url}/ready`)).json()) as { checks: { cache: string } }).checks
    .cache === 'up';

/**
 * Two built service processes sharing one Redis, as two replicas would: a client's budget is
 * one budget, whichever replica it reaches.
 */
describe('rate limits across replicas sharing Redis', () => {
  let redis: TestRedis;
  const services: ServiceProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const service = await ServiceProcess.start({
      REDIS_KEY_PREFIX: redis.prefix,
      // A Redis call that times out fails open; on this shared, busy test machine the default
      // 100 ms is sometimes exceeded, which would blur what these tests count.
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'info',
      ...env,
    });
    services.push(service);
    await service.waitUntilLive();
    await waitFor('Redis connected', () => cacheUp(service));
    return service;
  };

  beforeAll(async () => {
    redis = await TestRedis.create();
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.stop()));
  });
  afterAll(() => redis.close());

  it('lets one client through RATE_LIMIT_REQUESTS_PER_MINUTE times in total, not per replica', async () => {
    const acme = testKey('acme');
    const env = {
      REDIS_URL: redis.url,
      API_KEYS: acme.entry,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '10',
    };
    const [a, b] = await Promise.all([start(env), start(env)]);
    // 30 requests, alternating replicas, 6 at a time.
    const results: Response[] = [];
    for (let batch = 0; batch < 5; batch++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? a : b).query({ prompt: `shared ${batch}-${i}` }, bearer(acme.key)),
          ),
        )),
      );
    }
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    for (const refused of results.filter((r) => r.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('ratelimit')).toMatch(/^"requests";r=0;t=\d+$/);
      expect(await refused.json()).toMatchObject({ 'violated-policies': ['requests'] });
    }
    // Both replicas refused some: the budget was shared, not split.
    await Promise.all([a, b].map((s) => s.logsSettled()));
    const refusedBy = (s: ServiceProcess) =>
      s.logs().filter((l) => (l.res as { status?: number } | undefined)?.status === 429).length;
    expect(refusedBy(a)).toBeGreaterThan(0);
    expect(refusedBy(b)).toBeGreaterThan(0);
    // One small hash per client in Redis, with an expiry.
    const keys = (await redis.keys()).filter((k) => k.includes('ratelimit'));
    expect(keys).toEqual([`${redis.prefix}ratelimit:v1:{c:acme}`]);
    expect(await redis.client.pttl(keys[0])).toBeGreaterThan(0);
  });

  it('shares the token budget too: tokens charged on one replica count on the other', async () => {
    const acme = testKey('globex');
    const env = { REDIS_URL: redis.url, API_KEYS: acme.entry, RATE_LIMIT_TOKENS_PER_MINUTE: '500' };
    const [a, b] = await Promise.all([start(env), start(env)]);
    const first = await a.query({ prompt: 'tokens', max_tokens: 200 }, bearer(acme.key));
    expect(first.status).toBe(200);
    const used = ((await first.json()) as { tokens_used: number }).tokens_used;
    const second = await b.query({ prompt: 'tokens', max_tokens: 200 }, bearer(acme.key));
    expect(second.status).toBe(200);
    // b saw a's charge (tokens_used, not the 202-token reservation) plus its own reservation.
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe(String(500 - used - 202));
    const refused = await a.query(
      { prompt: 'tokens', max_tokens: 500 - 2 * used },
      bearer(acme.key),
    );
    expect(refused.status).toBe(429);
  });

  it('fails open during a Redis outage, logs it once, and enforces the limits again afterwards', async () => {
    const rd = new URL(redis.url);
    const proxy = await TcpProxy.start(rd.hostname, Number(rd.port || 6379));
    try {
      const acme = testKey('initech');
      const service = await start({
        REDIS_URL: proxy.rewrite(redis.url),
        API_KEYS: acme.entry,
        RATE_LIMIT_REQUESTS_PER_MINUTE: '2',
      });
      const ask = () => service.query({ prompt: 'outage' }, bearer(acme.key));
      expect((await ask()).status).toBe(200);
      expect((await ask()).status).toBe(200);
      expect((await ask()).status).toBe(429);

      await proxy.cut();
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const res = await ask();
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit')).toBeNull();
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/access_rate_limit_fail_open_total [5-9]/);
      await service.waitForLog('rate limits not enforced');
      const failing = service.logs().filter((l) => String(l.msg).startsWith('rate limits not'));
      expect(failing).toHaveLength(1);

      await proxy.restore();
      await waitFor('Redis reconnected', () => cacheUp(service));
      // The window survived in Redis: the client is still over its budget.
      expect((await ask()).status).toBe(429);
      await service.waitForLog('rate limits enforced again');
      const recovered = service
        .logs()
        .filter((l) => String(l.msg).startsWith('rate limits enforced'));
      expect(recovered).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
