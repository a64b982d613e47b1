import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadAgentSchema } from '@app/agent';
import { loadEnvironment } from '@app/platform';
import { databaseConfig, postgresOptions } from '@app/platform/database';

// Entry point of the TypeORM CLI (npm run migration:run / migration:revert / migration:show).
const database = databaseConfig(loadEnvironment());
if (!database) throw new Error('DATABASE_URL must be set to run migrations');

export default new DataSource(postgresOptions(database, await loadAgentSchema()));
