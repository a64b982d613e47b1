import { Module, type DynamicModule } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import type { Environment } from '../config/environment.js';
import { DependencyMonitor } from '../health/dependency-monitor.js';
import type { ReadinessCheck } from '../health/readiness-check.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { DatabaseConnector } from './database-connector.js';
import { DATA_SOURCE, DATABASE_READINESS } from './database.tokens.js';
import { postgresOptions, type DatabaseSchema } from './postgres-options.js';

/** PostgreSQL through TypeORM; registered only when DATABASE_URL is set. */
@Module({})
export class DatabaseModule {
  /** `loadSchema` is called only here, so TypeORM and the entities load only with a database. */
  static forRoot(env: Environment, loadSchema: () => Promise<DatabaseSchema>): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: DATA_SOURCE,
          useFactory: async () => {
            const { DataSource } = await import('typeorm');
            const schema = await loadSchema();
            return new DataSource(postgresOptions(env, schema));
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
            return new DatabaseConnector(
              ds,
              monitor,
              registry,
              logger,
              env.DATABASE_MIGRATE_ON_START,
            );
          },
        },
        {
          provide: DATABASE_READINESS,
          inject: [DatabaseConnector],
          useFactory: (connector: DatabaseConnector): ReadinessCheck => ({
            name: 'database',
            required: env.DATABASE_REQUIRED,
            ping: () => connector.ping(),
          }),
        },
      ],
      exports: [DATA_SOURCE, DatabaseConnector, DATABASE_READINESS],
    };
  }
}
