import { describe, expect, it } from '@jest/globals';
import { InMemoryResponseCache } from './in-memory-response-cache.js';

const answer = (text: string) => ({ text, model: 'm', promptTokens: 1, completionTokens: 1 });

describe('InMemoryResponseCache', () => {
  it('evicts the least recently used answers beyond its byte bound', async () => {
    // Each answer holds about 200 kB (two bytes per character): five fit in 1 MiB, not eight.
    const cache = new InMemoryResponseCache({
      maxEntries: 1000,
      maxBytes: 1024 ** 2,
      ttlSeconds: 60,
    });
    for (let i = 0; i < 8; i++) await cache.set(`k${i}`, answer(String(i).repeat(100_000)));
    const kept: string[] = [];
    for (let i = 0; i < 8; i++) if (await cache.get(`k${i}`)) kept.push(`k${i}`);
    expect(kept).toEqual(['k3', 'k4', 'k5', 'k6', 'k7']);
  });

  it('evicts beyond its entry bound', async () => {
    const cache = new InMemoryResponseCache({ maxEntries: 2, maxBytes: 1024 ** 2, ttlSeconds: 60 });
    for (let i = 0; i < 3; i++) await cache.set(`k${i}`, answer('a'));
    expect(await cache.get('k0')).toBeUndefined();
    expect((await cache.get('k2'))?.text).toBe('a');
  });
});

describe('InMemoryResponseCache size estimate', () => {
  // 100 characters of text and a one-character model: 2 * 101 + 512 = 714 bytes each.
  const sized = answer('a'.repeat(100));

  it('counts two bytes per character of text and model plus a fixed overhead', async () => {
    const exact = new InMemoryResponseCache({ maxEntries: 10, maxBytes: 2 * 714, ttlSeconds: 60 });
    await exact.set('k0', sized);
    await exact.set('k1', sized);
    expect(await exact.get('k0')).toEqual(sized);
    expect(await exact.get('k1')).toEqual(sized);

    const short = new InMemoryResponseCache({
      maxEntries: 10,
      maxBytes: 2 * 714 - 1,
      ttlSeconds: 60,
    });
    await short.set('k0', sized);
    await short.set('k1', sized);
    expect(await short.get('k0')).toBeUndefined();
    expect(await short.get('k1')).toEqual(sized);
  });

  it('does not keep an answer larger than the whole bound', async () => {
    const cache = new InMemoryResponseCache({ maxEntries: 10, maxBytes: 713, ttlSeconds: 60 });
    await cache.set('k', sized);
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('InMemoryResponseCache expiry', () => {
  it('forgets an answer once its TTL in seconds has passed', async () => {
    const cache = new InMemoryResponseCache({ maxEntries: 10, maxBytes: 1024 ** 2, ttlSeconds: 1 });
    await cache.set('k', answer('a'));
    expect((await cache.get('k'))?.text).toBe('a');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await cache.get('k'))?.text).toBe('a'); // still well within one second
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await cache.get('k')).toBeUndefined();
  });
});
