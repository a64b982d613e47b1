import type { Environment } from '../config/environment.js';

/** The database module's own settings, read from the validated environment. */
export interface DatabaseConfig {
  url: string;
  /** A required database that is down makes the service unready; an optional one degrades it. */
  required: boolean;
  migrateOnStart: boolean;
  poolSize: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

/** The database slice of the environment; undefined when DATABASE_URL is unset (no database). */
export function databaseConfig(env: Environment): DatabaseConfig | undefined {
  if (!env.DATABASE_URL) return undefined;
  return {
    url: env.DATABASE_URL,
    required: env.DATABASE_REQUIRED,
    migrateOnStart: env.DATABASE_MIGRATE_ON_START,
    poolSize: env.DATABASE_POOL_SIZE,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
  };
}
