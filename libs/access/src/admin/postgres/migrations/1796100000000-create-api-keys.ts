import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys managed through the key API and their audit trail. `version` comes from a sequence on
 * every change, so `max(version)` is the change marker every replica polls.
 */
export class CreateApiKeys1796100000000 implements MigrationInterface {
  name = 'CreateApiKeys1796100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE SEQUENCE api_keys_version_seq');
    await runner.query(`
      CREATE TABLE api_keys (
        id                  varchar(64) PRIMARY KEY,
        client_id           varchar(64) NOT NULL,
        name                varchar(200),
        admin               boolean NOT NULL DEFAULT false,
        digest              char(64) NOT NULL UNIQUE,
        digest_prefix       char(8) NOT NULL,
        previous_digest     char(64),
        previous_not_after  timestamptz,
        requests_per_minute integer CHECK (requests_per_minute >= 0),
        tokens_per_minute   integer CHECK (tokens_per_minute >= 0),
        tokens_per_day      bigint CHECK (tokens_per_day >= 0),
        tokens_per_month    bigint CHECK (tokens_per_month >= 0),
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        revoked_at          timestamptz,
        version             bigint NOT NULL DEFAULT nextval('api_keys_version_seq')
      )`);
    // A key presented by a client is found by the first 32 bits of its digest.
    await runner.query('CREATE INDEX api_keys_digest_prefix_idx ON api_keys (digest_prefix)');
    // Serves the replicas' change-marker poll (max(version)) from the index alone.
    await runner.query('CREATE INDEX api_keys_version_idx ON api_keys (version)');
    await runner.query(`
      CREATE TABLE api_key_audit (
        id             bigserial PRIMARY KEY,
        at             timestamptz NOT NULL DEFAULT now(),
        actor          varchar(80) NOT NULL,
        action         varchar(16) NOT NULL
                         CHECK (action IN ('create', 'update', 'revoke', 'rotate')),
        key_id         varchar(64) NOT NULL,
        changes        jsonb NOT NULL,
        remote_address varchar(64) NOT NULL,
        request_id     varchar(128)
      )`);
    // Serves one key's newest-first audit listing.
    await runner.query('CREATE INDEX api_key_audit_key_id_idx ON api_key_audit (key_id, id DESC)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE api_key_audit');
    await runner.query('DROP TABLE api_keys');
    await runner.query('DROP SEQUENCE api_keys_version_seq');
  }
}
