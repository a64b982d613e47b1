import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnvironment } from '@app/platform';
import { databaseConfig, postgresOptions } from '@app/platform/database';
import { loadSchema } from './database-schema.js';

// Entry point of the TypeORM CLI (npm run migration:run / migration:revert / migration:show).
const database = databaseConfig(loadEnvironment());
if (!database) throw new Error('DATABASE_URL must be set to run migrations');

export default new DataSource(postgresOptions(database, await loadSchema()));
