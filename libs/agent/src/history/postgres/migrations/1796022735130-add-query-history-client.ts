import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records carry the API client that asked (existing rows belong to no client) and the outcome
 * (existing rows were all answered). Outside a transaction, so the index is built
 * CONCURRENTLY: writes to a large table are not blocked meanwhile. Every step can be rerun.
 */
export class AddQueryHistoryClient1796022735130 implements MigrationInterface {
  name = 'AddQueryHistoryClient1796022735130';
  transaction = false;

  async up(runner: QueryRunner): Promise<void> {
    // Both are catalog-only changes on PostgreSQL 11+ (a constant default is not written out).
    await runner.query('ALTER TABLE query_history ADD COLUMN IF NOT EXISTS client_id varchar(64)');
    await runner.query(
      `ALTER TABLE query_history ADD COLUMN IF NOT EXISTS outcome varchar(16) NOT NULL DEFAULT 'answered'`,
    );
    await runner.query(
      'ALTER TABLE query_history DROP CONSTRAINT IF EXISTS query_history_outcome_check',
    );
    // NOT VALID, then VALIDATE: the check scans existing rows without blocking writes.
    await runner.query(
      `ALTER TABLE query_history ADD CONSTRAINT query_history_outcome_check
         CHECK (outcome IN ('answered', 'cancelled')) NOT VALID`,
    );
    await runner.query('ALTER TABLE query_history VALIDATE CONSTRAINT query_history_outcome_check');
    // A failed concurrent build leaves an invalid index behind: drop it before building again.
    await runner.query('DROP INDEX CONCURRENTLY IF EXISTS query_history_client_created_at_id_idx');
    // Serves a client's newest-first, keyset-paginated listing.
    await runner.query(
      `CREATE INDEX CONCURRENTLY query_history_client_created_at_id_idx
         ON query_history (client_id, created_at DESC, id DESC)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX CONCURRENTLY IF EXISTS query_history_client_created_at_id_idx');
    await runner.query('ALTER TABLE query_history DROP COLUMN IF EXISTS outcome');
    await runner.query('ALTER TABLE query_history DROP COLUMN IF EXISTS client_id');
  }
}
