import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DependencyMonitor } from '../health/dependency-monitor.js';
import type { ReadinessCheck } from '../health/readiness-check.js';
import type { RedisConfig } from './redis.config.js';
import { connectionSettled, createRedisClient } from './redis-client.factory.js';
import { REDIS_CLIENT, REDIS_READINESS } from './redis.tokens.js';

/**
 * The shared Redis client and its readiness check. The composition root registers it only
 * when Redis is configured and hands it to the modules that use it (not global).
 */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  static forRoot(config: RedisConfig): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS_CLIENT,
          inject: [DependencyMonitor],
          useFactory: (monitor: DependencyMonitor) => createRedisClient(config, monitor),
        },
        {
          provide: REDIS_READINESS,
          inject: [REDIS_CLIENT, DependencyMonitor],
          // PING on the client the app already holds: no new connection per probe.
          useFactory: (client: Redis, monitor: DependencyMonitor): ReadinessCheck => ({
            name: 'cache',
            required: config.required,
            ping: async (signal: AbortSignal) => {
              try {
                await connectionSettled(client, signal);
                await client.ping();
                monitor.report('cache', true);
              } catch (error) {
                monitor.report('cache', false, error);
                throw error;
              }
            },
          }),
        },
      ],
      exports: [REDIS_CLIENT, REDIS_READINESS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
