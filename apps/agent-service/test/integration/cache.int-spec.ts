import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { TestRedis } from '../support/servers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait.js';

/** The response cache in a real Redis: hits, expiry, bypass, isolation. */
describe('response cache in Redis', () => {
  let redis: TestRedis;
  let t: TestApp | undefined;
  const boot = async (vars: Record<string, string> = {}) => {
    t = await createTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, ...vars });
    await waitFor(
      'cache up',
      async () => (await request(t!.server).get('/ready')).body.checks.cache === 'up',
    );
    return t;
  };
  const ask = (app: TestApp, prompt: string, headers: Record<string, string> = {}) =>
    request(app.server).post('/query').set(headers).send({ prompt, max_tokens: 64 }).expect(200);

  beforeAll(async () => {
    redis = await TestRedis.create();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(() => redis.close());

  it('answers MISS then HIT for identical requests, with the same answer', async () => {
    const app = await boot();
    const first = await ask(app, 'cache me');
    const second = await ask(app, 'cache me');
    expect(first.headers['x-cache']).toBe('MISS');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body.response).toBe(first.body.response);
    expect(second.body.tokens_used).toBe(first.body.tokens_used);
    expect(second.body.id).not.toBe(first.body.id);
    // Stored under the configured prefix only.
    expect(await redis.keys()).toHaveLength(1);
    const metrics = (await request(app.server).get('/metrics')).text;
    expect(metrics).toMatch(/cache_requests_total\{result="hit"\} 1/);
    expect(metrics).toMatch(/cache_requests_total\{result="miss"\} 1/);
  });

  it('keys on max_tokens too', async () => {
    const app = await boot();
    await ask(app, 'same prompt');
    const other = await request(app.server)
      .post('/query')
      .send({ prompt: 'same prompt', max_tokens: 65 })
      .expect(200);
    expect(other.headers['x-cache']).toBe('MISS');
  });

  it('expires entries after CACHE_TTL_SECONDS', async () => {
    const app = await boot({ CACHE_TTL_SECONDS: '1' });
    await ask(app, 'short lived');
    expect((await ask(app, 'short lived')).headers['x-cache']).toBe('HIT');
    await sleep(1_300);
    expect((await ask(app, 'short lived')).headers['x-cache']).toBe('MISS');
  });

  it('bypasses the cache for Cache-Control: no-cache and refreshes the entry', async () => {
    const app = await boot();
    await ask(app, 'bypass me');
    const bypassed = await ask(app, 'bypass me', { 'Cache-Control': 'no-cache' });
    expect(bypassed.headers['x-cache']).toBe('BYPASS');
    expect((await ask(app, 'bypass me')).headers['x-cache']).toBe('HIT');
  });

  it('survives an app restart (the cache lives in Redis)', async () => {
    const app = await boot();
    await ask(app, 'persistent');
    await app.close();
    t = undefined;
    const restarted = await boot();
    expect((await ask(restarted, 'persistent')).headers['x-cache']).toBe('HIT');
  });
});

describe('embedded cache (no Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CACHE_TTL_SECONDS: '1' });
  });
  afterAll(() => t.close());

  it('has the same behaviour in process memory', async () => {
    const ask = (headers: Record<string, string> = {}) =>
      request(t.server).post('/query').set(headers).send({ prompt: 'in memory' }).expect(200);
    expect((await ask()).headers['x-cache']).toBe('MISS');
    expect((await ask()).headers['x-cache']).toBe('HIT');
    expect((await ask({ 'Cache-Control': 'no-cache' })).headers['x-cache']).toBe('BYPASS');
    await sleep(1_300);
    expect((await ask()).headers['x-cache']).toBe('MISS');
  });

  it('is off with CACHE_TTL_SECONDS=0', async () => {
    const off = await createTestApp({ CACHE_TTL_SECONDS: '0' });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await request(off.server)
          .post('/query')
          .send({ prompt: 'never cached' })
          .expect(200);
        expect(res.headers['x-cache']).toBe('BYPASS');
      }
    } finally {
      await off.close();
    }
  });
});
