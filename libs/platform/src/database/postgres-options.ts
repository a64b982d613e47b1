import type { DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import type { DatabaseConfig } from './database.config.js';

/** What a feature lib contributes to the schema. */
export interface DatabaseSchema {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/** One schema of the entities and migrations of several feature libs. */
export function mergeSchemas(...schemas: DatabaseSchema[]): DatabaseSchema {
  const all = (pick: (s: DatabaseSchema) => unknown) =>
    schemas.flatMap((s) => Object.values(pick(s) as object) as never[]);
  return { entities: all((s) => s.entities), migrations: all((s) => s.migrations) };
}

/** TypeORM options for PostgreSQL; shared by the service and the migration CLI. */
export function postgresOptions(config: DatabaseConfig, schema: DatabaseSchema): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.url,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'schema_migrations',
    // The schema only ever changes through committed migrations.
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: 'ai-agent-service',
    extra: {
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
      // Client-side bound: a black-holed server fails queries instead of hanging requests.
      query_timeout: config.queryTimeoutMs,
      statement_timeout: config.queryTimeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    },
  };
}
