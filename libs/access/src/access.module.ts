import {
  Global,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { DependencyMonitor, MetricsRegistry } from '@app/platform';
import { REDIS_CLIENT } from '@app/platform/redis';
import { ACCESS_CONFIG, type AccessConfig } from './access.config.js';
import { AccessMetrics } from './access.metrics.js';
import { AdminModule } from './admin/admin.module.js';
import { MetricsTokenModule } from './auth/metrics-token.module.js';
import { budgetProviders } from './budgets/budget.providers.js';
import { BudgetLedger } from './budgets/budget-ledger.js';
import { UsageReport } from './budgets/usage-report.js';
import { AccessGuard } from './http/access.guard.js';
import { AccessStep } from './http/access-step.js';
import { KeyRegistry } from './keys/key-registry.js';
import { InMemoryRateLimitStore } from './limits/in-memory-rate-limit-store.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from './limits/rate-limit-store.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { RedisRateLimitStore } from './limits/redis-rate-limit-store.js';
import { LoadShedder } from './shedding/load-shedder.js';

export interface AccessModuleOptions {
  config: AccessConfig;
  /** The Redis module when Redis is configured: the limits' windows live there, shared. */
  redis?: DynamicModule;
  /** The database module when PostgreSQL is configured: managed keys and the budgets' usage record live there. */
  database?: DynamicModule;
}

/**
 * Who may call and how much: API keys, per-client rate limits (in Redis when configured, so
 * they hold across replicas), load shedding and the metrics token. Routes opt in with
 * `@Authenticated()` or, metered, through `AccessStep.run`; probes never do. Global, so the guards it provides
 * resolve in the modules whose controllers declare them.
 */
@Global()
@Module({})
export class AccessModule implements OnApplicationBootstrap {
  constructor(
    private readonly keys: KeyRegistry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('access');
  }

  static forRoot({ config, redis, database }: AccessModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: ACCESS_CONFIG, useValue: config },
      {
        provide: AccessMetrics,
        inject: [MetricsRegistry],
        useFactory: (registry: MetricsRegistry) => new AccessMetrics(registry),
      },
      {
        provide: KeyRegistry,
        inject: [PinoLogger, AccessMetrics],
        useFactory: (logger: PinoLogger, metrics: AccessMetrics) => {
          logger.setContext('access');
          const sources = {
            entries: config.keys,
            file: config.keysFile,
            managed: config.admin.token !== undefined,
          };
          const registry = new KeyRegistry(sources, logger, metrics);
          registry.load(); // invalid or unreadable keys fail start-up
          return registry;
        },
      },
      {
        provide: LoadShedder,
        inject: [AccessMetrics],
        useFactory: (metrics: AccessMetrics) => new LoadShedder(config.maxInFlight, metrics),
      },
      redis
        ? {
            provide: RATE_LIMIT_STORE,
            inject: [REDIS_CLIENT],
            useFactory: (client: Redis) => new RedisRateLimitStore(client),
          }
        : { provide: RATE_LIMIT_STORE, useFactory: () => new InMemoryRateLimitStore() },
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
          // With Redis, the limiter's view of it feeds `dependency_up` like the cache's does.
          return new RateLimiter(store, config.limits, metrics, logger, redis && monitor);
        },
      },
      AccessStep,
      ...budgetProviders(config.budgets, { redis, database }),
      AccessGuard,
    ];
    return {
      module: AccessModule,
      imports: [
        ...(redis ? [redis] : []),
        ...(database ? [database] : []),
        ...(config.metricsToken ? [MetricsTokenModule.forRoot(config)] : []),
        AdminModule.forRoot({ config: config.admin, database, redis }),
      ],
      providers,
      exports: [
        BudgetLedger,
        UsageReport,
        AccessMetrics,
        KeyRegistry,
        LoadShedder,
        RateLimiter,
        AccessStep,
        AccessGuard,
      ],
    };
  }

  onApplicationBootstrap(): void {
    this.keys.watch();
    if (!this.keys.enabled) {
      this.logger.warn(
        'no API keys configured: /query and /queries are open to anyone (set API_KEYS, API_KEYS_FILE or ADMIN_TOKEN; AUTH_REQUIRED=true refuses to start without them)',
      );
    } else {
      this.logger.info({ clients: this.keys.clientIds().length }, 'API keys required');
    }
  }
}
