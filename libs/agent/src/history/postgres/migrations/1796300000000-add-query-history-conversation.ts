import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records name the conversation they were a turn of (existing rows were none). A nullable
 * column without a default is catalog-only; the partial index holds only conversation turns.
 */
export class AddQueryHistoryConversation1796300000000 implements MigrationInterface {
  name = 'AddQueryHistoryConversation1796300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE query_history ADD COLUMN conversation_id varchar(128)');
    await runner.query(
      'CREATE INDEX query_history_conversation_idx ON query_history (conversation_id) WHERE conversation_id IS NOT NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX query_history_conversation_idx');
    await runner.query('ALTER TABLE query_history DROP COLUMN conversation_id');
  }
}
