import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Environment } from '../config/environment.js';
import { DependencyMonitor } from '../health/dependency-monitor.js';
import type { ReadinessCheck } from '../health/readiness-check.js';
import { createRedisClient } from './redis-client.factory.js';
import { REDIS_CLIENT, REDIS_READINESS } from './redis.tokens.js';

/** The shared Redis client and its readiness check; registered only when REDIS_URL is set. */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  static forRoot(env: Environment): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        {
          provide: REDIS_CLIENT,
          inject: [DependencyMonitor],
          useFactory: (monitor: DependencyMonitor) => createRedisClient(env, monitor),
        },
        {
          provide: REDIS_READINESS,
          inject: [REDIS_CLIENT, DependencyMonitor],
          // PING on the client the app already holds: no new connection per probe.
          useFactory: (client: Redis, monitor: DependencyMonitor): ReadinessCheck => ({
            name: 'cache',
            required: env.REDIS_REQUIRED,
            ping: async () => {
              try {
                await client.ping();
                monitor.report('redis', true);
              } catch (error) {
                monitor.report('redis', false, error);
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
