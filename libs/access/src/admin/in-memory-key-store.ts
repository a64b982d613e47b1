import {
  DuplicateKeyError,
  KeyStoreFullError,
  MAX_MEMORY_AUDIT_ENTRIES,
  type AuditDraft,
  type AuditEntry,
  type KeyPatch,
  type KeyStore,
  type ManagedKey,
} from './managed-key.js';

/** Keys the in-memory store holds (revoked ones included); each is well under a kilobyte. */
export const MAX_MEMORY_KEYS = 1_000;

/**
 * Managed keys and their audit trail in this process only: used without DATABASE_URL, lost on
 * restart and not shared by replicas. Bounded in keys and in audit entries (oldest dropped).
 */
export class InMemoryKeyStore implements KeyStore {
  readonly shared = false;
  readonly usable = true;
  private readonly keys = new Map<string, ManagedKey>();
  private readonly entries: AuditEntry[] = [];
  private version = 0;
  private lastAuditId = 0;

  constructor(
    private readonly maxKeys = MAX_MEMORY_KEYS,
    private readonly maxAudit = MAX_MEMORY_AUDIT_ENTRIES,
  ) {}

  insert(key: ManagedKey, audit: AuditDraft): Promise<AuditEntry> {
    if (this.keys.has(key.id) || [...this.keys.values()].some((k) => k.digest === key.digest)) {
      return Promise.reject(new DuplicateKeyError(key.id));
    }
    if (this.keys.size >= this.maxKeys) return Promise.reject(new KeyStoreFullError());
    this.keys.set(key.id, { ...key });
    this.version++;
    return Promise.resolve(this.record(audit));
  }

  update(
    id: string,
    patch: KeyPatch,
    audit: AuditDraft,
  ): Promise<{ key: ManagedKey; entry: AuditEntry } | undefined> {
    const key = this.keys.get(id);
    if (!key || key.revokedAt) return Promise.resolve(undefined);
    const { limits, ...rest } = patch;
    const updated: ManagedKey = {
      ...key,
      ...defined(rest),
      limits: { ...key.limits, ...defined(limits ?? {}) },
      updatedAt: new Date(),
    };
    this.keys.set(id, updated);
    this.version++;
    return Promise.resolve({ key: { ...updated }, entry: this.record(audit) });
  }

  get(id: string): Promise<ManagedKey | undefined> {
    const key = this.keys.get(id);
    return Promise.resolve(key && { ...key });
  }

  list(limit: number, afterId?: string): Promise<ManagedKey[]> {
    const ids = [...this.keys.keys()].filter((id) => afterId === undefined || id > afterId).sort();
    return Promise.resolve(ids.slice(0, limit).map((id) => ({ ...this.keys.get(id)! })));
  }

  active(): Promise<ManagedKey[]> {
    return Promise.resolve([...this.keys.values()].filter((k) => !k.revokedAt));
  }

  marker(): Promise<string> {
    return Promise.resolve(String(this.version));
  }

  audit(limit: number, beforeId?: string, keyId?: string): Promise<AuditEntry[]> {
    const before = beforeId === undefined ? Infinity : Number(beforeId);
    const found: AuditEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && found.length < limit; i--) {
      const entry = this.entries[i];
      if (Number(entry.id) < before && (keyId === undefined || entry.keyId === keyId)) {
        found.push(entry);
      }
    }
    return Promise.resolve(found);
  }

  private record(draft: AuditDraft): AuditEntry {
    const entry = { ...draft, id: String(++this.lastAuditId), at: new Date() };
    this.entries.push(entry);
    if (this.entries.length > this.maxAudit) this.entries.shift();
    return entry;
  }
}

/** The fields that are set: an absent field of a patch leaves the key's as it is. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
