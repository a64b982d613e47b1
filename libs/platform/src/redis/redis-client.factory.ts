import type { Redis } from 'ioredis';
import { once } from 'node:events';
import type { DependencyMonitor } from '../health/dependency-monitor.js';
import type { RedisConfig } from './redis.config.js';

/**
 * One client for the whole app. It never queues commands while disconnected and gives up on a
 * command after its command timeout, so a Redis outage costs a request at most that long;
 * it keeps reconnecting in the background.
 */
export async function createRedisClient(
  config: RedisConfig,
  monitor: DependencyMonitor,
): Promise<Redis> {
  // Loaded only when REDIS_URL is set.
  const { Redis } = await import('ioredis');
  const client = new Redis(config.url, {
    keyPrefix: config.keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 2_000),
    connectionName: 'ai-agent-service',
  });
  client.on('ready', () => monitor.report('cache', true));
  client.on('error', (error: Error) => monitor.report('cache', false, error));
  client.on('end', () => monitor.report('cache', false, new Error('connection ended')));
  // Start connecting without waiting: start-up never blocks on Redis.
  client.connect().catch(() => undefined);
  return client;
}

/** ioredis states in which a connection attempt is under way. */
const CONNECTING = new Set(['wait', 'connecting', 'connect']);

/**
 * Resolves once the client's connection attempt in progress (if any) has succeeded or failed, or
 * when `signal` aborts: a readiness check right after start-up must not report Redis down only
 * because the first connection has not finished yet (the client queues nothing offline, so a
 * PING sent meanwhile fails at once).
 */
export async function connectionSettled(
  client: Pick<Redis, 'status' | 'once' | 'off'>,
  signal?: AbortSignal,
): Promise<void> {
  if (!CONNECTING.has(client.status)) return;
  const controller = new AbortController();
  const abort = AbortSignal.any([controller.signal, ...(signal ? [signal] : [])]);
  try {
    await Promise.race([
      once(client as never, 'ready', { signal: abort }),
      once(client as never, 'error', { signal: abort }),
      once(client as never, 'end', { signal: abort }),
    ]);
  } catch {
    // Aborted: the caller's timeout decides.
  } finally {
    controller.abort();
  }
}
