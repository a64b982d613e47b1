import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations with their items, and the stored responses of `/v1/responses`. Bodies are
 * `json`, not `jsonb`: jsonb refuses the NUL character a client's text may hold. Each table
 * has an index on `expires_at` for the purge of expired rows.
 */
export class CreateConversations1796300000001 implements MigrationInterface {
  name = 'CreateConversations1796300000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE conversations (
        id varchar(128) PRIMARY KEY,
        client_id varchar(64),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        metadata json NOT NULL,
        bytes integer NOT NULL DEFAULT 0
      )`);
    await runner.query('CREATE INDEX conversations_expires_at_idx ON conversations (expires_at)');
    await runner.query(`
      CREATE TABLE conversation_items (
        seq bigserial PRIMARY KEY,
        conversation_id varchar(128) NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        id varchar(128) NOT NULL,
        item json NOT NULL,
        bytes integer NOT NULL
      )`);
    await runner.query(
      'CREATE UNIQUE INDEX conversation_items_conversation_id_idx ON conversation_items (conversation_id, id)',
    );
    await runner.query(
      'CREATE INDEX conversation_items_conversation_seq_idx ON conversation_items (conversation_id, seq)',
    );
    await runner.query(`
      CREATE TABLE stored_responses (
        id varchar(128) PRIMARY KEY,
        client_id varchar(64),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        body json NOT NULL,
        bytes integer NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX stored_responses_expires_at_idx ON stored_responses (expires_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE stored_responses');
    await runner.query('DROP TABLE conversation_items');
    await runner.query('DROP TABLE conversations');
  }
}
