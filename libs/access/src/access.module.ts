import {
  Global,
  Inject,
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { DependencyMonitor, MetricsRegistry, type Environment } from '@app/platform';
import { REDIS_CLIENT } from '@app/platform/redis';
import { ACCESS_OPTIONS, accessOptions, type AccessOptions } from './access-options.js';
import { AccessMetrics } from './access.metrics.js';
import { MetricsTokenMiddleware } from './auth/metrics-token.middleware.js';
import { AccessProblemFilter } from './http/access-problem.filter.js';
import { AccessGuard } from './http/access.guard.js';
import { AccessInterceptor } from './http/access.interceptor.js';
import { KeyRegistry } from './keys/key-registry.js';
import { InMemoryRateLimitStore } from './limits/in-memory-rate-limit-store.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from './limits/rate-limit-store.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { RedisRateLimitStore } from './limits/redis-rate-limit-store.js';
import { LoadShedder } from './shedding/load-shedder.js';

/**
 * Who may call and how much: API keys, per-client rate limits (in Redis when configured, so
 * they hold across replicas), load shedding and the metrics token. Routes opt in with
 * `@Authenticated()` / `@Metered()`; probes never do.
 */
@Global()
@Module({})
export class AccessModule implements NestModule, OnApplicationBootstrap {
  constructor(
    @Inject(ACCESS_OPTIONS) private readonly options: AccessOptions,
    private readonly keys: KeyRegistry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('access');
  }

  static forRoot(env: Environment): DynamicModule {
    const options = accessOptions(env);
    const providers: Provider[] = [
      { provide: ACCESS_OPTIONS, useValue: options },
      {
        provide: AccessMetrics,
        inject: [MetricsRegistry],
        useFactory: (r: MetricsRegistry) => new AccessMetrics(r),
      },
      {
        provide: KeyRegistry,
        inject: [PinoLogger, AccessMetrics],
        useFactory: (logger: PinoLogger, metrics: AccessMetrics) => {
          logger.setContext('access');
          const registry = new KeyRegistry(
            { entries: options.keys, file: options.keysFile },
            logger,
            metrics,
          );
          registry.load(); // invalid or unreadable keys fail start-up
          return registry;
        },
      },
      {
        provide: LoadShedder,
        inject: [AccessMetrics],
        useFactory: (metrics: AccessMetrics) => new LoadShedder(options.maxInFlight, metrics),
      },
      rateLimitStore(options),
      {
        provide: RateLimiter,
        inject: [RATE_LIMIT_STORE, AccessMetrics, PinoLogger, DependencyMonitor],
        useFactory: (
          store: RateLimitStore,
          metrics: AccessMetrics,
          logger: PinoLogger,
          monitor: DependencyMonitor,
        ) => {
          logger.setContext('access');
          return new RateLimiter(
            store,
            options.limits,
            metrics,
            logger,
            options.redis ? monitor : undefined,
          );
        },
      },
      AccessGuard,
      AccessInterceptor,
      AccessProblemFilter,
    ];
    return {
      module: AccessModule,
      providers,
      exports: [
        ACCESS_OPTIONS,
        AccessMetrics,
        KeyRegistry,
        LoadShedder,
        RateLimiter,
        AccessGuard,
        AccessInterceptor,
        AccessProblemFilter,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.options.metricsToken) {
      consumer
        .apply(MetricsTokenMiddleware)
        .forRoutes({ path: 'metrics', method: RequestMethod.ALL });
    }
  }

  onApplicationBootstrap(): void {
    this.keys.watch();
    if (!this.keys.enabled) {
      this.logger.warn(
        'no API keys configured: /query and /queries are open to anyone (set API_KEYS or API_KEYS_FILE; AUTH_REQUIRED=true refuses to start without them)',
      );
    } else {
      this.logger.info({ clients: this.keys.clientIds().length }, 'API keys required');
    }
  }
}

function rateLimitStore(options: AccessOptions): Provider {
  if (!options.redis) {
    return { provide: RATE_LIMIT_STORE, useFactory: () => new InMemoryRateLimitStore() };
  }
  return {
    provide: RATE_LIMIT_STORE,
    inject: [REDIS_CLIENT],
    useFactory: (client: Redis) => new RedisRateLimitStore(client),
  };
}
