import { EntitySchema } from 'typeorm';

/** A row of `api_keys` (see the migrations): what the store reads and writes. */
export interface ApiKeyRow {
  id: string;
  client_id: string;
  name: string | null;
  admin: boolean;
  digest: string;
  digest_prefix: string;
  previous_digest: string | null;
  previous_not_after: Date | null;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  tokens_per_day: string | null;
  tokens_per_month: string | null;
  created_at: Date;
  updated_at: Date;
  revoked_at: Date | null;
  version: string;
}

/** A row of `api_key_audit`. */
export interface ApiKeyAuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  key_id: string;
  changes: Record<string, unknown>;
  remote_address: string;
  request_id: string | null;
}

const nullable = { nullable: true } as const;

export const ApiKeyEntity = new EntitySchema<ApiKeyRow>({
  name: 'ApiKey',
  tableName: 'api_keys',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    client_id: { type: 'varchar', length: 64 },
    name: { type: 'varchar', length: 200, ...nullable },
    admin: { type: 'boolean' },
    digest: { type: 'char', length: 64 },
    digest_prefix: { type: 'char', length: 8 },
    previous_digest: { type: 'char', length: 64, ...nullable },
    previous_not_after: { type: 'timestamptz', ...nullable },
    requests_per_minute: { type: 'integer', ...nullable },
    tokens_per_minute: { type: 'integer', ...nullable },
    tokens_per_day: { type: 'bigint', ...nullable },
    tokens_per_month: { type: 'bigint', ...nullable },
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
    revoked_at: { type: 'timestamptz', ...nullable },
    version: { type: 'bigint' },
  },
});

export const ApiKeyAuditEntity = new EntitySchema<ApiKeyAuditRow>({
  name: 'ApiKeyAudit',
  tableName: 'api_key_audit',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    at: { type: 'timestamptz' },
    actor: { type: 'varchar', length: 80 },
    action: { type: 'varchar', length: 16 },
    key_id: { type: 'varchar', length: 64 },
    changes: { type: 'jsonb' },
    remote_address: { type: 'varchar', length: 64 },
    request_id: { type: 'varchar', length: 128, ...nullable },
  },
});
