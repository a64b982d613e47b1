import type { Redis } from 'ioredis';
import type { Environment } from '../config/environment.js';
import type { DependencyMonitor } from '../health/dependency-monitor.js';

/**
 * One client for the whole app. It never queues commands while disconnected and gives up on a
 * command after REDIS_COMMAND_TIMEOUT_MS, so a Redis outage costs a request at most that long;
 * it keeps reconnecting in the background.
 */
export async function createRedisClient(
  env: Environment,
  monitor: DependencyMonitor,
): Promise<Redis> {
  // Loaded only when REDIS_URL is set.
  const { Redis } = await import('ioredis');
  const client = new Redis(env.REDIS_URL as string, {
    keyPrefix: env.REDIS_KEY_PREFIX,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: env.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 2_000),
    connectionName: 'ai-agent-service',
  });
  client.on('ready', () => monitor.report('redis', true));
  client.on('error', (error: Error) => monitor.report('redis', false, error));
  client.on('end', () => monitor.report('redis', false, new Error('connection ended')));
  // Start connecting without waiting: start-up never blocks on Redis.
  client.connect().catch(() => undefined);
  return client;
}
