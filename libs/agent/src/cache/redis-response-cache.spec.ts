import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { MetricsRegistry, type DependencyMonitor } from '@app/platform';
import { RedisResponseCache } from './redis-response-cache.js';
import { cacheKey, cacheScope, type CachedCompletion } from './response-cache.js';

const answer: CachedCompletion = { text: 'hi', model: 'm', promptTokens: 3, completionTokens: 1 };

/** A Redis stand-in that records commands and fails on demand. */
function fakeRedis(store = new Map<string, string>()) {
  const calls: unknown[][] = [];
  let failure: Error | undefined;
  const client = {
    get(key: string) {
      calls.push(['get', key]);
      return failure ? Promise.reject(failure) : Promise.resolve(store.get(key) ?? null);
    },
    set(...args: [string, string, ...unknown[]]) {
      calls.push(['set', ...args]);
      if (failure) return Promise.reject(failure);
      store.set(args[0], args[1]);
      return Promise.resolve('OK');
    },
  };
  return { client: client as unknown as Redis, calls, store, fail: (e?: Error) => (failure = e) };
}

function make(ttlSeconds = 30) {
  const redis = fakeRedis();
  const reports: [string, boolean, unknown][] = [];
  const monitor = {
    report: (name: string, up: boolean, error?: unknown) => reports.push([name, up, error]),
  } as unknown as DependencyMonitor;
  const registry = new MetricsRegistry();
  const cache = new RedisResponseCache(redis.client, ttlSeconds, monitor, registry);
  const errors = async () =>
    (await registry.getSingleMetric('cache_errors_total')?.get())?.values[0]?.value ?? 0;
  return { cache, redis, reports, errors };
}

describe('RedisResponseCache', () => {
  it('writes under its own key space with the TTL and reads the answer back', async () => {
    const { cache, redis, reports, errors } = make(45);
    await cache.set('abc', answer);
    expect(redis.calls).toEqual([['set', 'cache:v1:abc', JSON.stringify(answer), 'EX', 45]]);
    expect(await cache.get('abc')).toEqual(answer);
    expect(redis.calls[1]).toEqual(['get', 'cache:v1:abc']);
    expect(reports).toEqual([['cache', true, undefined]]);
    expect(await errors()).toBe(0);
  });

  it('treats an absent key as a miss without counting an error', async () => {
    const { cache, reports, errors } = make();
    expect(await cache.get('nothing')).toBeUndefined();
    expect(reports).toEqual([['cache', true, undefined]]);
    expect(await errors()).toBe(0);
  });

  it('treats an outage as a miss, counts it and reports the cache down', async () => {
    const { cache, redis, reports, errors } = make();
    const outage = new Error('connect ECONNREFUSED');
    redis.fail(outage);
    expect(await cache.get('abc')).toBeUndefined();
    await expect(cache.set('abc', answer)).resolves.toBeUndefined();
    expect(reports).toEqual([
      ['cache', false, outage],
      ['cache', false, outage],
    ]);
    expect(await errors()).toBe(2);
  });

  it('treats an unreadable entry as a miss and counts it, with Redis still up', async () => {
    const { cache, redis, reports, errors } = make();
    redis.store.set('cache:v1:bad', '{not json');
    expect(await cache.get('bad')).toBeUndefined();
    expect(reports).toEqual([['cache', true, undefined]]);
    expect(await errors()).toBe(1);
  });
});

describe('cacheKey', () => {
  it('is a SHA-256 hex digest that depends on every part', () => {
    const key = cacheKey('client:a', 'builtin', 'm', 100, 'p'.repeat(64));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey('client:a', 'builtin', 'm', 100, 'p'.repeat(64))).toBe(key);
    expect(cacheKey('client:b', 'builtin', 'm', 100, 'p'.repeat(64))).not.toBe(key);
    expect(cacheKey('client:a', 'openai', 'm', 100, 'p'.repeat(64))).not.toBe(key);
    expect(cacheKey('client:a', 'builtin', 'n', 100, 'p'.repeat(64))).not.toBe(key);
    expect(cacheKey('client:a', 'builtin', 'm', 101, 'p'.repeat(64))).not.toBe(key);
    expect(cacheKey('client:a', 'builtin', 'm', 100, 'q'.repeat(64))).not.toBe(key);
  });

  it('separates its parts so that shifting text between them changes the key', () => {
    expect(cacheKey('s', 'ab', 'c', 1, 'x')).not.toBe(cacheKey('s', 'a', 'bc', 1, 'x'));
    expect(cacheKey('client:a', 'b', 'c', 1, 'x')).not.toBe(cacheKey('client:', 'ab', 'c', 1, 'x'));
  });
});

describe('cacheScope', () => {
  it('is the client, anonymous clients sharing one, unless the cache is shared', () => {
    expect(cacheScope(false, 'alice')).toBe('client:alice');
    expect(cacheScope(false, null)).toBe('client:');
    expect(cacheScope(true, 'alice')).toBe('shared');
    expect(cacheScope(true, 'bob')).toBe('shared');
  });
});
