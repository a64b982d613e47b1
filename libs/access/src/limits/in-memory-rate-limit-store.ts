import { LRUCache } from 'lru-cache';
import type { RateLimitStore } from './rate-limit-store.js';
import {
  admit,
  BUCKET_SPAN_SECONDS,
  settle,
  type Bucket,
  type Limits,
  type WindowState,
} from './sliding-window.js';

/**
 * Windows in process memory (without Redis: limits hold per replica). At most `maxPartitions`
 * clients or addresses are tracked, each with at most 61 one-second buckets; the least recently
 * seen is forgotten first, and idle windows expire after a minute.
 */
export class InMemoryRateLimitStore implements RateLimitStore {
  private readonly windows: LRUCache<string, Bucket[]>;

  constructor(
    maxPartitions = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new LRUCache({ max: maxPartitions, ttl: BUCKET_SPAN_SECONDS * 1000 });
  }

  admit(partition: string, limits: Limits, cost: number): Promise<WindowState> {
    const buckets = this.windows.get(partition) ?? [];
    const state = admit(buckets, this.now(), limits, cost);
    if (state.admitted) this.windows.set(partition, buckets);
    return Promise.resolve(state);
  }

  settle(partition: string, second: number, delta: number): Promise<void> {
    const buckets = this.windows.get(partition, { updateAgeOnGet: false });
    if (buckets) settle(buckets, second, delta);
    return Promise.resolve();
  }
}
