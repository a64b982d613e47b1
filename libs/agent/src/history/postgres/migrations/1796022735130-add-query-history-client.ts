import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records carry the API client that asked (existing rows belong to no client) and the outcome
 * (existing rows were all answered). Adding the columns rewrites nothing (a constant default
 * is catalog-only since PostgreSQL 11); the index build blocks writes to the table while it
 * runs, which the history's write-behind buffer absorbs. It is not built CONCURRENTLY: that
 * would deadlock with replicas waiting on the migration lock.
 */
export class AddQueryHistoryClient1796022735130 implements MigrationInterface {
  name = 'AddQueryHistoryClient1796022735130';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE query_history
        ADD COLUMN client_id varchar(64),
        ADD COLUMN outcome varchar(16) NOT NULL DEFAULT 'answered'
          CONSTRAINT query_history_outcome_check CHECK (outcome IN ('answered', 'cancelled'))`);
    // Serves a client's newest-first, keyset-paginated listing.
    await runner.query(
      'CREATE INDEX query_history_client_created_at_id_idx ON query_history (client_id, created_at DESC, id DESC)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX query_history_client_created_at_id_idx');
    await runner.query('ALTER TABLE query_history DROP COLUMN outcome, DROP COLUMN client_id');
  }
}
