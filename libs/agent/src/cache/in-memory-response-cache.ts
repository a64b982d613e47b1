import { LRUCache } from 'lru-cache';
import type { CachedCompletion, ResponseCache } from './response-cache.js';

export interface InMemoryCacheOptions {
  maxEntries: number;
  maxBytes: number;
  ttlSeconds: number;
}

// Key (64 hex chars), numbers and the object itself, rounded up.
const ENTRY_OVERHEAD_BYTES = 512;

/** Memory an answer holds, estimated from above at two bytes per UTF-16 unit. */
function estimateBytes(value: CachedCompletion): number {
  return 2 * (value.text.length + value.model.length) + ENTRY_OVERHEAD_BYTES;
}

/** The embedded default: an LRU with a TTL, in process memory, bounded in entries and bytes. */
export class InMemoryResponseCache implements ResponseCache {
  private readonly lru: LRUCache<string, CachedCompletion>;

  constructor(options: InMemoryCacheOptions) {
    this.lru = new LRUCache<string, CachedCompletion>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: estimateBytes,
      ttl: options.ttlSeconds * 1000,
    });
  }

  get(key: string): Promise<CachedCompletion | undefined> {
    return Promise.resolve(this.lru.get(key));
  }

  set(key: string, value: CachedCompletion): Promise<void> {
    this.lru.set(key, value);
    return Promise.resolve();
  }
}
