import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadHistorySchema } from '@app/agent';
import { loadEnvironment, postgresOptions } from '@app/platform';

// Entry point of the TypeORM CLI (npm run migration:run / migration:revert / migration:show).
const env = loadEnvironment();
if (!env.DATABASE_URL) throw new Error('DATABASE_URL must be set to run migrations');

export default new DataSource(postgresOptions(env, await loadHistorySchema()));
