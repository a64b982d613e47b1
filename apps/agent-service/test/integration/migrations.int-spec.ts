import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { loadHistorySchema } from '@app/agent';
import { loadEnvironment } from '@app/platform';
import {
  migrateWithLock,
  databaseConfig,
  postgresOptions,
  type DatabaseConfig,
} from '@app/platform/database';
import { TestDatabase } from '../support/servers.js';

/** Committed migrations on an empty database: up, down, and two replicas migrating at once. */
describe('migrations', () => {
  let db: TestDatabase;
  const sources: DataSource[] = [];
  const dataSource = async () => {
    const ds = new DataSource(
      postgresOptions(
        databaseConfig(loadEnvironment({ DATABASE_URL: db.url })) as DatabaseConfig,
        await loadHistorySchema(),
      ),
    );
    sources.push(ds);
    return ds.initialize();
  };
  const tables = async () =>
    (
      await db.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
      )
    ).map((r) => r.tablename);

  beforeEach(async () => {
    db = await TestDatabase.create();
  });
  afterEach(async () => {
    for (const ds of sources.splice(0)) if (ds.isInitialized) await ds.destroy();
    await db.drop();
  });

  it('migrates an empty database up and back down', async () => {
    const ds = await dataSource();
    expect(await ds.showMigrations()).toBe(true);
    const applied = await ds.runMigrations();
    expect(applied.map((m) => m.name)).toEqual(['CreateQueryHistory1764300000000']);
    expect(await tables()).toEqual(['query_history', 'schema_migrations']);
    expect(await ds.showMigrations()).toBe(false);

    await ds.undoLastMigration();
    expect(await tables()).toEqual(['schema_migrations']);
    expect(await ds.showMigrations()).toBe(true);
  });

  it('lets two replicas migrate at boot together: one applies, the other finds nothing to do', async () => {
    const [a, b] = await Promise.all([dataSource(), dataSource()]);
    const results = await Promise.all([migrateWithLock(a), migrateWithLock(b)]);
    expect(results.map((r) => r.length).sort()).toEqual([0, 1]);
    const recorded = await db.query<{ name: string }>('SELECT name FROM schema_migrations');
    expect(recorded.map((r) => r.name)).toEqual(['CreateQueryHistory1764300000000']);
    expect(await tables()).toContain('query_history');
  });
});
