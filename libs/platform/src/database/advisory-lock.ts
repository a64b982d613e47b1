import type { DataSource } from 'typeorm';

// Arbitrary but fixed: every replica of the service must use the same key.
const MIGRATION_LOCK_KEY = 724_310_917;

/**
 * Runs pending migrations while holding a session-level PostgreSQL advisory lock, so replicas
 * starting together migrate one at a time (the others wait, then find nothing pending). The
 * migrations run on the connection that holds the lock, so a pool of one is enough.
 */
export async function migrateWithLock(dataSource: DataSource): Promise<string[]> {
  const { MigrationExecutor } = await import('typeorm');
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
