import type { DataSource } from 'typeorm';
import {
  DuplicateKeyError,
  KeyStoreFullError,
  MAX_MANAGED_KEYS,
  type AuditDraft,
  type AuditEntry,
  type KeyPatch,
  type KeyStore,
  type ManagedKey,
} from '../managed-key.js';
import type { ApiKeyAuditRow, ApiKeyRow } from './api-key.entity.js';

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const UNIQUE_VIOLATION = '23505';
const KEY_COLUMNS = `id, client_id, name, admin, digest, previous_digest, previous_not_after,
  requests_per_minute, tokens_per_minute, tokens_per_day, tokens_per_month, created_at,
  updated_at, revoked_at`;
// Patch fields and their columns, in a fixed order (the SQL never holds client input).
const PATCH_COLUMNS: [string, (p: KeyPatch) => unknown][] = [
  ['name', (p) => p.name],
  ['requests_per_minute', (p) => p.limits?.requestsPerMinute],
  ['tokens_per_minute', (p) => p.limits?.tokensPerMinute],
  ['tokens_per_day', (p) => p.limits?.tokensPerDay],
  ['tokens_per_month', (p) => p.limits?.tokensPerMonth],
  ['digest', (p) => p.digest],
  ['digest_prefix', (p) => p.digest?.slice(0, 8)],
  ['previous_digest', (p) => p.previousDigest],
  ['previous_not_after', (p) => p.previousNotAfter],
  ['revoked_at', (p) => p.revokedAt],
];

/** Managed keys and their audit trail in PostgreSQL, shared by every replica. */
export class PostgresKeyStore implements KeyStore {
  readonly shared = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connector: { readonly isUsable: boolean },
  ) {}

  get usable(): boolean {
    return this.connector.isUsable;
  }

  insert(key: ManagedKey, audit: AuditDraft): Promise<AuditEntry> {
    return this.transaction(async (query) => {
      const [{ count }] = await query('SELECT count(*)::int AS count FROM api_keys');
      if ((count as number) >= MAX_MANAGED_KEYS) throw new KeyStoreFullError();
      const { limits } = key;
      try {
        await query(
          `INSERT INTO api_keys (id, client_id, name, admin, digest, digest_prefix,
             requests_per_minute, tokens_per_minute, tokens_per_day, tokens_per_month,
             created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
          [
            key.id,
            key.clientId,
            key.name,
            key.admin,
            key.digest,
            key.digest.slice(0, 8),
            limits.requestsPerMinute,
            limits.tokensPerMinute,
            limits.tokensPerDay,
            limits.tokensPerMonth,
            key.createdAt,
          ],
        );
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
          throw new DuplicateKeyError(key.id);
        }
        throw error;
      }
      return this.record(query, audit);
    });
  }

  update(
    id: string,
    patch: KeyPatch,
    audit: AuditDraft,
  ): Promise<{ key: ManagedKey; entry: AuditEntry } | undefined> {
    const set: string[] = [];
    const params: unknown[] = [id];
    for (const [column, value] of PATCH_COLUMNS) {
      const v = value(patch);
      if (v === undefined) continue;
      params.push(v);
      set.push(`${column} = $${params.length}`);
    }
    return this.transaction(async (query) => {
      const rows = await query(
        `UPDATE api_keys SET ${[...set, "updated_at = now(), version = nextval('api_keys_version_seq')"].join(', ')}
         WHERE id = $1 AND revoked_at IS NULL RETURNING ${KEY_COLUMNS}`,
        params,
      );
      if (rows.length === 0) return undefined;
      return {
        key: toKey(rows[0] as unknown as ApiKeyRow),
        entry: await this.record(query, audit),
      };
    });
  }

  async get(id: string): Promise<ManagedKey | undefined> {
    const rows = await this.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return rows[0] && toKey(rows[0] as unknown as ApiKeyRow);
  }

  async list(limit: number, afterId?: string): Promise<ManagedKey[]> {
    const rows = await this.query(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE ($2::varchar IS NULL OR id COLLATE "C" > $2)
       ORDER BY id COLLATE "C" LIMIT $1`,
      [limit, afterId ?? null],
    );
    return rows.map((row) => toKey(row as unknown as ApiKeyRow));
  }

  async active(): Promise<ManagedKey[]> {
    const rows = await this.query(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE revoked_at IS NULL LIMIT ${MAX_MANAGED_KEYS}`,
    );
    return rows.map((row) => toKey(row as unknown as ApiKeyRow));
  }

  async marker(): Promise<string> {
    const [row] = await this.query('SELECT coalesce(max(version), 0)::text AS v FROM api_keys');
    return row.v as string;
  }

  async audit(limit: number, beforeId?: string, keyId?: string): Promise<AuditEntry[]> {
    const rows = await this.query(
      `SELECT * FROM api_key_audit
       WHERE ($2::bigint IS NULL OR id < $2) AND ($3::varchar IS NULL OR key_id = $3)
       ORDER BY id DESC LIMIT $1`,
      [limit, beforeId ?? null, keyId ?? null],
    );
    return rows.map((row) => toEntry(row as unknown as ApiKeyAuditRow));
  }

  private async record(query: Query, draft: AuditDraft): Promise<AuditEntry> {
    const [row] = await query(
      `INSERT INTO api_key_audit (actor, action, key_id, changes, remote_address, request_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [
        draft.actor,
        draft.action,
        draft.keyId,
        JSON.stringify(draft.changes),
        draft.remoteAddress.slice(0, 64),
        draft.requestId?.slice(0, 128) ?? null,
      ],
    );
    return toEntry(row as unknown as ApiKeyAuditRow);
  }

  private query: Query = (sql, params) => this.dataSource.query(sql, params);

  private async transaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const query: Query = async (sql, params) =>
        (await runner.query(sql, params, true)).records as Record<string, unknown>[];
      const result = await work(query);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}

const count = (value: string | number | null): number | null =>
  value === null ? null : Number(value);

function toKey(row: ApiKeyRow): ManagedKey {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    admin: row.admin,
    digest: row.digest,
    previousDigest: row.previous_digest,
    previousNotAfter: row.previous_not_after,
    limits: {
      requestsPerMinute: row.requests_per_minute,
      tokensPerMinute: row.tokens_per_minute,
      tokensPerDay: count(row.tokens_per_day),
      tokensPerMonth: count(row.tokens_per_month),
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revokedAt: row.revoked_at,
  };
}

function toEntry(row: ApiKeyAuditRow): AuditEntry {
  return {
    id: String(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action as AuditEntry['action'],
    keyId: row.key_id,
    changes: row.changes,
    remoteAddress: row.remote_address,
    requestId: row.request_id,
  };
}
