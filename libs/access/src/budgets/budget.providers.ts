import type { DynamicModule, Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DependencyMonitor, MetricsRegistry } from '@app/platform';
import { DATA_SOURCE, DatabaseConnector } from '@app/platform/database';
import { REDIS_CLIENT } from '@app/platform/redis';
import { AccessMetrics } from '../access.metrics.js';
import { KeyRegistry } from '../keys/key-registry.js';
import type { BudgetConfig } from './budget.config.js';
import { BudgetLedger } from './budget-ledger.js';
import { BUDGET_STORE, type BudgetStore } from './budget-store.js';
import { InMemoryBudgetStore } from './in-memory-budget-store.js';
import { InMemoryUsageRecord } from './in-memory-usage-record.js';
import { PostgresUsageRecord } from './postgres/postgres-usage-record.js';
import { RedisBudgetStore } from './redis-budget-store.js';
import { USAGE_RECORD, type UsageRecord } from './usage-record.js';
import { UsageReport } from './usage-report.js';

/**
 * The budgets' pieces, picked once: windows in Redis when configured (else in memory), the
 * record in PostgreSQL when configured (else in memory).
 */
export function budgetProviders(
  config: BudgetConfig,
  deps: { redis?: DynamicModule; database?: DynamicModule },
): Provider[] {
  return [
    deps.redis
      ? {
          provide: BUDGET_STORE,
          inject: [REDIS_CLIENT],
          useFactory: (c: Redis) => new RedisBudgetStore(c),
        }
      : { provide: BUDGET_STORE, useFactory: () => new InMemoryBudgetStore() },
    deps.database
      ? {
          provide: USAGE_RECORD,
          inject: [DATA_SOURCE, DatabaseConnector, DependencyMonitor, MetricsRegistry, PinoLogger],
          useFactory: (
            ds: DataSource,
            connector: DatabaseConnector,
            monitor: DependencyMonitor,
            registry: MetricsRegistry,
            logger: PinoLogger,
          ) => {
            logger.setContext('budgets');
            return new PostgresUsageRecord(ds, connector, monitor, registry, logger);
          },
        }
      : { provide: USAGE_RECORD, useFactory: () => new InMemoryUsageRecord(config.rollingHours) },
    {
      provide: BudgetLedger,
      inject: [BUDGET_STORE, USAGE_RECORD, AccessMetrics, PinoLogger],
      useFactory: (
        store: BudgetStore,
        record: UsageRecord,
        metrics: AccessMetrics,
        logger: PinoLogger,
      ) => {
        logger.setContext('budgets');
        return new BudgetLedger(store, record, config, metrics, logger);
      },
    },
    {
      provide: UsageReport,
      inject: [USAGE_RECORD, BudgetLedger, KeyRegistry],
      useFactory: (record: UsageRecord, ledger: BudgetLedger, keys: KeyRegistry) =>
        new UsageReport(record, ledger, (id) => keys.client(id)),
    },
  ];
}
