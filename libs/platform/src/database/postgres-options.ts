import type { DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import type { Environment } from '../config/environment.js';

/** What a feature lib contributes to the schema. */
export interface DatabaseSchema {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/** TypeORM options for PostgreSQL; shared by the service and the migration CLI. */
export function postgresOptions(env: Environment, schema: DatabaseSchema): DataSourceOptions {
  return {
    type: 'postgres',
    url: env.DATABASE_URL,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'schema_migrations',
    // The schema only ever changes through committed migrations.
    synchronize: false,
    migrationsRun: false,
    // One transaction per migration (the CLI's default is one for all), so a migration can opt
    // out of it, e.g. to build an index CONCURRENTLY.
    migrationsTransactionMode: 'each',
    logging: false,
    applicationName: 'ai-agent-service',
    extra: {
      max: env.DATABASE_POOL_SIZE,
      connectionTimeoutMillis: env.DATABASE_CONNECT_TIMEOUT_MS,
      // Client-side bound: a black-holed server fails queries instead of hanging requests.
      query_timeout: env.DATABASE_QUERY_TIMEOUT_MS,
      statement_timeout: env.DATABASE_QUERY_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    },
  };
}
