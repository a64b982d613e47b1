import { Module, type DynamicModule } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import type { Environment } from '../config/environment.js';
import { DependencyMonitor } from '../health/dependency-monitor.js';
import type { ReadinessCheck } from '../health/readiness-check.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { DatabaseConnector } from './database-connector.js';
import { DATABASE_READINESS } from './database.tokens.js';
import { postgresOptions, type DatabaseSchema } from './postgres-options.js';

/** PostgreSQL through TypeORM; registered only when DATABASE_URL is set. */
@Module({})
export class DatabaseModule {
  static forRoot(env: Environment, schema: DatabaseSchema): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        { provide: DataSource, useFactory: () => new DataSource(postgresOptions(env, schema)) },
        {
          provide: DatabaseConnector,
          inject: [DataSource, DependencyMonitor, MetricsRegistry, PinoLogger],
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
            ping: (signal) => connector.ping(signal),
          }),
        },
      ],
      exports: [DataSource, DatabaseConnector, DATABASE_READINESS],
    };
  }
}
