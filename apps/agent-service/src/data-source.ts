import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadHistorySchema } from '@app/agent';
import { loadEnvironment } from '@app/platform';
import { postgresOptions } from '@app/platform/database';

// Entry point of the TypeORM CLI (npm run migration:run / migration:revert / migration:show).
const env = loadEnvironment();
if (!env.DATABASE_URL) throw new Error('DATABASE_URL must be set to run migrations');

export default new DataSource(postgresOptions(env, await loadHistorySchema()));
