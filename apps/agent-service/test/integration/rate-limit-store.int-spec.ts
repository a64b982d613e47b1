import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisRateLimitStore } from '../../../../libs/access/src/limits/redis-rate-limit-store.js';
import { TestRedis } from '../support/servers.js';

/** The limit script against a real Redis: atomic under concurrency, settles, stays small. */
describe('Redis rate-limit store', () => {
  let redis: TestRedis;
  let client: Redis;
  let store: RedisRateLimitStore;

  beforeAll(async () => {
    redis = await TestRedis.create();
    client = new Redis(redis.url, { keyPrefix: redis.prefix });
    store = new RedisRateLimitStore(client);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.close();
  });

  it('admits exactly the limit out of many concurrent checks', async () => {
    const states = await Promise.all(
      Array.from({ length: 50 }, () => store.admit('c:burst', { requests: 10, tokens: 0 }, 0)),
    );
    expect(states.filter((s) => s.admitted)).toHaveLength(10);
    const refused = states.filter((s) => !s.admitted);
    expect(refused.every((s) => s.requestsExceeded && s.requests === 10)).toBe(true);
    expect(refused.every((s) => s.retryAfterMs > 59_000 && s.retryAfterMs <= 61_000)).toBe(true);
  });

  it('reserves, settles to the tokens used, and refuses what does not fit', async () => {
    const limits = { requests: 0, tokens: 1_000 };
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () => store.admit('c:tokens', limits, 300)),
    );
    const admitted = concurrent.filter((s) => s.admitted);
    expect(admitted).toHaveLength(3);
    for (const s of admitted) await store.settle('c:tokens', s.second, 20 - s.charge);
    const next = await store.admit('c:tokens', limits, 900);
    expect(next).toMatchObject({ admitted: true, tokens: 960, charge: 900 });
    const over = await store.admit('c:tokens', limits, 100);
    expect(over).toMatchObject({ admitted: false, tokensExceeded: true, tokens: 960 });
  });

  it('keeps one hash per partition, with an expiry, and ignores late settlements', async () => {
    await store.settle('c:never-admitted', 123, 50);
    expect(await client.exists('ratelimit:v1:{c:never-admitted}')).toBe(0);
    await store.admit('c:small', { requests: 5, tokens: 100 }, 10);
    const fields = await client.hgetall('ratelimit:v1:{c:small}');
    expect(Object.keys(fields).sort()).toEqual([
      expect.stringMatching(/^r:\d+$/),
      expect.stringMatching(/^t:\d+$/),
    ]);
    const ttl = await client.pttl('ratelimit:v1:{c:small}');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
  });
});
