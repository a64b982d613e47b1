import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import type { DependencyMonitor, MetricsRegistry } from '@app/platform';
import type { CachedCompletion, ResponseCache } from './response-cache.js';

const KEY_SPACE = 'cache:v1:';

/**
 * Answers cached in Redis with a TTL. Every failure (outage, timeout, bad entry) is a miss:
 * the client never queues commands and times them out after REDIS_COMMAND_TIMEOUT_MS.
 */
export class RedisResponseCache implements ResponseCache {
  private readonly errors: Counter;

  constructor(
    private readonly client: Redis,
    private readonly ttlSeconds: number,
    private readonly monitor: DependencyMonitor,
    registry: MetricsRegistry,
  ) {
    this.errors = new Counter({
      name: 'cache_errors_total',
      help: 'Cache reads and writes that failed and were treated as misses.',
      registers: [registry],
    });
  }

  async get(key: string): Promise<CachedCompletion | undefined> {
    let raw: string | null;
    try {
      raw = await this.client.get(KEY_SPACE + key);
      this.monitor.report('cache', true);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
    try {
      return raw === null ? undefined : (JSON.parse(raw) as CachedCompletion);
    } catch {
      this.errors.inc(); // an unreadable entry is a miss; Redis itself is fine
      return undefined;
    }
  }

  async set(key: string, value: CachedCompletion): Promise<void> {
    try {
      await this.client.set(KEY_SPACE + key, JSON.stringify(value), 'EX', this.ttlSeconds);
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.errors.inc();
    this.monitor.report('cache', false, error);
  }
}
