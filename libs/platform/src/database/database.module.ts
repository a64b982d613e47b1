import { Module, type DynamicModule } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DependencyMonitor } from '../health/dependency-monitor.js';
import type { ReadinessCheck } from '../health/readiness-check.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import type { DatabaseConfig } from './database.config.js';
import { DatabaseConnector } from './database-connector.js';
import { DATA_SOURCE, DATABASE_READINESS } from './database.tokens.js';
import { postgresOptions, type DatabaseSchema } from './postgres-options.js';

/**
 * PostgreSQL through TypeORM. The composition root registers it only when a database is
 * configured and hands it to the modules that use it (not global: imports show who does).
 */
@Module({})
export class DatabaseModule {
  /** `loadSchema` is called only here, so TypeORM and the entities load only with a database. */
  static forRoot(config: DatabaseConfig, loadSchema: () => Promise<DatabaseSchema>): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DATA_SOURCE,
          useFactory: async () => {
            const { DataSource } = await import('typeorm');
            const schema = await loadSchema();
            return new DataSource(postgresOptions(config, schema));
          },
        },
        {
          provide: DatabaseConnector,
          inject: [DATA_SOURCE, DependencyMonitor, MetricsRegistry, PinoLogger],
          useFactory: (
            ds: DataSource,
            monitor: DependencyMonitor,
            registry: MetricsRegistry,
            logger: PinoLogger,
          ) => {
            logger.setContext('database');
            return new DatabaseConnector(ds, monitor, registry, logger, config.migrateOnStart);
          },
        },
        {
          provide: DATABASE_READINESS,
          inject: [DatabaseConnector],
          useFactory: (connector: DatabaseConnector): ReadinessCheck => ({
            name: 'database',
            required: config.required,
            ping: (signal: AbortSignal) => connector.ping(signal),
          }),
        },
      ],
      exports: [DATA_SOURCE, DatabaseConnector, DATABASE_READINESS],
    };
  }
}
