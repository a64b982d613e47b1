/** The optional PostgreSQL connection: import only where the data layer is used. */
export { DatabaseModule } from './database.module.js';
export { databaseConfig, type DatabaseConfig } from './database.config.js';
export { DatabaseConnector } from './database-connector.js';
export { DATA_SOURCE, DATABASE_READINESS } from './database.tokens.js';
export { mergeSchemas, postgresOptions, type DatabaseSchema } from './postgres-options.js';
export { migrateWithLock } from './advisory-lock.js';
