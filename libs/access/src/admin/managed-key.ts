import type { ClientLimits } from '../keys/key-table.js';

/** A key created through the key API. Only the SHA-256 of its secret is ever stored. */
export interface ManagedKey {
  id: string;
  clientId: string;
  name: string | null;
  admin: boolean;
  limits: ManagedLimits;
  /** SHA-256 of the secret, hex. */
  digest: string;
  /** SHA-256 of the secret a rotation replaced, valid until `previousNotAfter`. */
  previousDigest: string | null;
  previousNotAfter: Date | null;
  createdAt: Date;
  updatedAt: Date;
  revokedAt: Date | null;
}

/** A key's own limits and budgets; null falls back to the global settings (or no budget). */
export type ManagedLimits = { [K in keyof Required<ClientLimits>]: number | null };

export const LIMIT_FIELDS = [
  'requestsPerMinute',
  'tokensPerMinute',
  'tokensPerDay',
  'tokensPerMonth',
] as const satisfies (keyof ManagedLimits)[];

/** What an update may change; absent fields stay as they are. */
export interface KeyPatch {
  name?: string | null;
  limits?: Partial<ManagedLimits>;
  digest?: string;
  previousDigest?: string | null;
  previousNotAfter?: Date | null;
  revokedAt?: Date;
}

export type AuditAction = 'create' | 'update' | 'revoke' | 'rotate';

/** Who changed a key, and from where. */
export interface AuditSource {
  /** `admin-token`, or `client:<id>` for an admin key. */
  actor: string;
  remoteAddress: string;
  requestId: string | null;
}

/** One recorded key change: never a secret or a digest. */
export interface AuditEntry extends AuditSource {
  /** Increasing: newer entries have larger ids. */
  id: string;
  at: Date;
  action: AuditAction;
  keyId: string;
  changes: Record<string, unknown>;
}

export type AuditDraft = Omit<AuditEntry, 'id' | 'at'>;

/** Thrown by a store asked to create a key whose id or secret already exists. */
export class DuplicateKeyError extends Error {}
/** Thrown by a store that holds as many keys as it may. */
export class KeyStoreFullError extends Error {}

/**
 * Where managed keys and their audit trail live: PostgreSQL, or memory without a database.
 * Every change is written together with its audit entry.
 */
export interface KeyStore {
  /** Whether other replicas share it (they must hear of changes). */
  readonly shared: boolean;
  /** False while it cannot answer yet (PostgreSQL not connected or not migrated). */
  readonly usable: boolean;
  insert(key: ManagedKey, audit: AuditDraft): Promise<AuditEntry>;
  /** Changes a key that is not revoked; undefined when there is none. */
  update(
    id: string,
    patch: KeyPatch,
    audit: AuditDraft,
  ): Promise<{ key: ManagedKey; entry: AuditEntry } | undefined>;
  get(id: string): Promise<ManagedKey | undefined>;
  /** Keys in id order, after `afterId`. */
  list(limit: number, afterId?: string): Promise<ManagedKey[]>;
  /** Every key that is not revoked: what the registry authenticates with. */
  active(): Promise<ManagedKey[]>;
  /** Changes whenever a key does: replicas poll it. */
  marker(): Promise<string>;
  /** Audit entries newest first, older than `beforeId`, optionally of one key. */
  audit(limit: number, beforeId?: string, keyId?: string): Promise<AuditEntry[]>;
}

export const KEY_STORE = Symbol('KEY_STORE');

/** Keys a store holds at most (revoked ones included): the registry keeps them in memory. */
export const MAX_MANAGED_KEYS = 10_000;
/** Audit entries kept by the in-memory store. */
export const MAX_MEMORY_AUDIT_ENTRIES = 1_000;
