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
