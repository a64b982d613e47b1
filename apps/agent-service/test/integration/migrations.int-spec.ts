import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { loadEnvironment } from '@app/platform';
import {
  migrateWithLock,
  databaseConfig,
  postgresOptions,
  type DatabaseConfig,
} from '@app/platform/database';
import { loadSchema } from '../../src/database-schema.js';
import { TestDatabase } from '../support/servers.js';

const MIGRATIONS = [
  'CreateQueryHistory1764300000000',
  'AddQueryHistoryClient1796022735130',
  'CreateApiKeys1796100000000',
  'CreateClientUsage1796200000000',
  'AddQueryHistoryConversation1796300000000',
  'CreateConversations1796300000001',
];

/** Committed migrations on an empty database: up, down, and two replicas migrating at once. */
describe('migrations', () => {
  let db: TestDatabase;
  const sources: DataSource[] = [];
  const dataSource = async () => {
    const ds = new DataSource(
      postgresOptions(
        databaseConfig(loadEnvironment({ DATABASE_URL: db.url })) as DatabaseConfig,
        await loadSchema(),
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
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS);
    expect(await tables()).toEqual([
      'api_key_audit',
      'api_keys',
      'client_usage_daily',
      'client_usage_hourly',
      'client_usage_totals',
      'conversation_items',
      'conversations',
      'query_history',
      'schema_migrations',
      'stored_responses',
    ]);
    expect(await ds.showMigrations()).toBe(false);

    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
    expect(await tables()).toEqual(['schema_migrations']);
    expect(await ds.showMigrations()).toBe(true);
  });

  it('lets two replicas migrate at boot together: one applies, the other finds nothing to do', async () => {
    const [a, b] = await Promise.all([dataSource(), dataSource()]);
    const results = await Promise.all([migrateWithLock(a), migrateWithLock(b)]);
    expect(results.map((r) => r.length).sort()).toEqual([0, MIGRATIONS.length]);
    const recorded = await db.query<{ name: string }>('SELECT name FROM schema_migrations');
    expect(recorded.map((r) => r.name)).toEqual(MIGRATIONS);
    expect(await tables()).toContain('query_history');
  });

  it('gives existing rows no client and the answered outcome, indexed per client', async () => {
    const ds = await dataSource();
    await ds.runMigrations();
    // Back to the table as it was before clients existed (every later migration goes first).
    for (let i = 1; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
    await db.query(
      `INSERT INTO query_history (id, created_at, provider, model, prompt_chars, response_chars,
         prompt_sha256, max_tokens, prompt_tokens, completion_tokens, tokens_used, latency_ms,
         cache_status)
       VALUES (gen_random_uuid(), now(), 'builtin', 'm', 1, 1, repeat('a', 64), 10, 1, 1, 2, 1,
         'MISS')`,
    );
    await ds.runMigrations();
    const rows = await db.query<{ client_id: string | null; outcome: string }>(
      'SELECT client_id, outcome FROM query_history',
    );
    expect(rows).toEqual([{ client_id: null, outcome: 'answered' }]);
    const indexes = await db.query<{ indexname: string; indisvalid: boolean }>(
      `SELECT i.indexname, x.indisvalid FROM pg_indexes i
         JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
        WHERE i.tablename = 'query_history' ORDER BY 1`,
    );
    expect(indexes).toContainEqual({
      indexname: 'query_history_client_created_at_id_idx',
      indisvalid: true,
    });
    await expect(db.query(`UPDATE query_history SET outcome = 'lost'`)).rejects.toThrow(
      /query_history_outcome_check/,
    );
  });

  it('indexes keys by digest prefix and their change marker; a digest is unique', async () => {
    const ds = await dataSource();
    await ds.runMigrations();
    const indexes = await db.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'api_keys' ORDER BY 1",
    );
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['api_keys_digest_prefix_idx', 'api_keys_version_idx']),
    );
    const insert = (id: string) =>
      db.query(
        `INSERT INTO api_keys (id, client_id, digest, digest_prefix)
         VALUES ($1, $1, repeat('a', 64), 'aaaaaaaa') RETURNING version`,
        [id],
      );
    const [first] = (await insert('k1')) as { version: string }[];
    await expect(insert('k2')).rejects.toThrow(/api_keys_digest_key/);
    await db.query("UPDATE api_keys SET version = nextval('api_keys_version_seq')");
    const [{ version }] = await db.query<{ version: string }>('SELECT version FROM api_keys');
    expect(BigInt(version)).toBeGreaterThan(BigInt(first.version));
  });
});
