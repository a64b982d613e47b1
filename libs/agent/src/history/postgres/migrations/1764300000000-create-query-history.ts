import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateQueryHistory1764300000000 implements MigrationInterface {
  name = 'CreateQueryHistory1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE query_history (
        id                uuid PRIMARY KEY,
        created_at        timestamptz NOT NULL,
        request_id        varchar(128),
        provider          varchar(32) NOT NULL,
        model             varchar(128) NOT NULL,
        prompt            text,
        response          text,
        prompt_chars      integer NOT NULL,
        response_chars    integer NOT NULL,
        prompt_sha256     char(64) NOT NULL,
        max_tokens        integer NOT NULL,
        prompt_tokens     integer NOT NULL,
        completion_tokens integer NOT NULL,
        tokens_used       integer NOT NULL,
        latency_ms        double precision NOT NULL,
        cache_status      varchar(8) NOT NULL CHECK (cache_status IN ('HIT', 'MISS', 'BYPASS'))
      )`);
    // Serves the newest-first, keyset-paginated listing.
    await runner.query(
      'CREATE INDEX query_history_created_at_id_idx ON query_history (created_at DESC, id DESC)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE query_history');
  }
}
