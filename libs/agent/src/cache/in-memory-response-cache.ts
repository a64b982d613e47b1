import { LRUCache } from 'lru-cache';
import type { CachedCompletion, ResponseCache } from './response-cache.js';

/** The embedded default: a bounded LRU with a TTL, in process memory. */
export class InMemoryResponseCache implements ResponseCache {
  private readonly lru: LRUCache<string, CachedCompletion>;

  constructor(maxEntries: number, ttlSeconds: number) {
    this.lru = new LRUCache({ max: maxEntries, ttl: ttlSeconds * 1000 });
  }

  get(key: string): Promise<CachedCompletion | undefined> {
    return Promise.resolve(this.lru.get(key));
  }

  set(key: string, value: CachedCompletion): Promise<void> {
    this.lru.set(key, value);
    return Promise.resolve();
  }
}
