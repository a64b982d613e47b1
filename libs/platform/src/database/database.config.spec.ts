import { describe, expect, it } from '@jest/globals';
import { loadEnvironment } from '../config/load-environment.js';
import { databaseConfig } from './database.config.js';

describe('databaseConfig', () => {
  it('is absent when DATABASE_URL is unset: no database is configured', () => {
    expect(databaseConfig(loadEnvironment({}))).toBeUndefined();
  });

  it('carries each database variable', () => {
    const env = loadEnvironment({
      DATABASE_URL: 'postgres://db/app',
      DATABASE_REQUIRED: 'false',
      DATABASE_MIGRATE_ON_START: 'true',
      DATABASE_POOL_SIZE: '7',
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
      DATABASE_QUERY_TIMEOUT_MS: '2500',
    });
    expect(databaseConfig(env)).toEqual({
      url: 'postgres://db/app',
      required: false,
      migrateOnStart: true,
      poolSize: 7,
      connectTimeoutMs: 1500,
      queryTimeoutMs: 2500,
    });
  });
});
