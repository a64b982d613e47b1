import { timingSafeEqual } from 'node:crypto';
import { API_KEY_ENTRY } from '../access.environment.js';

/** Per-client limits from a key entry; absent fields fall back to the global settings. */
export interface ClientLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Token budgets per UTC day and calendar month (see budgets/), set in a key entry or through the key API. */
  tokensPerDay?: number;
  tokensPerMonth?: number;
}

/** A configured client: its id (the label in logs, metrics and history) and its overrides. */
export interface ClientEntry extends ClientLimits {
  readonly id: string;
  /** The key may manage keys through /admin. */
  readonly admin?: boolean;
}

/** One key of the table: its digest, its client and, for a rotated-out secret, its end. */
export interface TableKey {
  digest: Buffer;
  client: ClientEntry;
  /** Epoch ms after which the key no longer authenticates (a rotation's grace period). */
  notAfter?: number;
  origin?: KeyOrigin;
}

/** One line of configuration with where it came from, for error messages. */
export interface KeyLine {
  text: string;
  source: string;
  origin?: KeyOrigin;
}

/** Where a configured key comes from: such keys are read-only to the key API. */
export type KeyOrigin = 'environment' | 'file';

/** Bound on entries: the table lives in memory and labels metrics. */
export const MAX_KEY_ENTRIES = 10_000;

// Keys are found by a short prefix of their digest, then compared in full in constant time:
// timing can at most reveal whether 32 bits of SHA-256(guess) match, which says nothing.
const BUCKET_HEX = 8;

/**
 * The parsed key configuration: clients by the SHA-256 of their keys. Several keys may belong
 * to one client (rotation); one key cannot belong to two clients.
 */
export class KeyTable {
  private constructor(
    private readonly buckets: ReadonlyMap<string, TableKey[]>,
    readonly clients: ReadonlyMap<string, ClientEntry>,
    readonly keyCount: number,
  ) {}

  /** The client whose key has this SHA-256 digest (and is not past its grace period). */
  lookup(digest: Buffer, now = Date.now()): ClientEntry | undefined {
    let found: ClientEntry | undefined;
    for (const stored of this.buckets.get(digest.toString('hex', 0, BUCKET_HEX / 2)) ?? []) {
      if (
        timingSafeEqual(stored.digest, digest) &&
        (stored.notAfter === undefined || stored.notAfter > now)
      ) {
        found = stored.client;
      }
    }
    return found;
  }

  /** Every key of the table. */
  keys(): TableKey[] {
    return [...this.buckets.values()].flat();
  }

  /** Whether some key may manage keys. */
  get hasAdmin(): boolean {
    return this.keys().some((key) => key.client.admin === true);
  }

  static empty(): KeyTable {
    return new KeyTable(new Map(), new Map(), 0);
  }

  /** A table of already validated keys (the managed ones); clients are per key here. */
  static of(keys: TableKey[]): KeyTable {
    const buckets = new Map<string, TableKey[]>();
    const clients = new Map<string, ClientEntry>();
    for (const key of keys) {
      const prefix = key.digest.toString('hex', 0, BUCKET_HEX / 2);
      buckets.set(prefix, [...(buckets.get(prefix) ?? []), key]);
      if (!clients.has(key.client.id)) clients.set(key.client.id, key.client);
    }
    return new KeyTable(buckets, clients, keys.length);
  }

  /**
   * Parses entries `client-id:sha256-hex[:rpm=N;tpm=N;tpd=N;tpmo=N]`. Problems name the line (never its
   * content, which holds a hash) and the table is built only when there are none.
   */
  static parse(lines: KeyLine[]): { table: KeyTable; problems: string[] } {
    const problems: string[] = [];
    const byDigest = new Map<string, ClientEntry>();
    const clients = new Map<string, ClientEntry>();
    const buckets = new Map<string, TableKey[]>();
    for (const { text, source, origin } of lines) {
      if (!API_KEY_ENTRY.test(text)) {
        problems.push(`${source}: not client-id:sha256-hex[:rpm=N;tpm=N;tpd=N;tpmo=N]`);
        continue;
      }
      const [id, hex, overrides] = text.split(':') as [string, string, string | undefined];
      const entry = { id, ...parseOverrides(overrides) };
      const digest = hex.toLowerCase();
      const owner = byDigest.get(digest);
      if (owner && owner.id !== id) {
        problems.push(`${source}: this key hash already belongs to client "${owner.id}"`);
        continue;
      }
      const known = clients.get(id);
      if (known && !sameLimits(known, entry)) {
        problems.push(`${source}: client "${id}" is listed with different limits elsewhere`);
        continue;
      }
      if (!known) clients.set(id, entry);
      if (owner) continue; // the same key listed twice
      const client = clients.get(id) ?? entry;
      byDigest.set(digest, client);
      const bucket = buckets.get(digest.slice(0, BUCKET_HEX)) ?? [];
      bucket.push({ digest: Buffer.from(digest, 'hex'), client, origin });
      buckets.set(digest.slice(0, BUCKET_HEX), bucket);
    }
    if (byDigest.size > MAX_KEY_ENTRIES) {
      problems.push(`more than ${MAX_KEY_ENTRIES} keys configured`);
    }
    return { table: new KeyTable(buckets, clients, byDigest.size), problems };
  }
}

/** Entry names of the overrides (API_KEY_ENTRY admits only these, and `admin`). */
const OVERRIDES: Record<string, keyof ClientLimits> = {
  rpm: 'requestsPerMinute',
  tpm: 'tokensPerMinute',
  tpd: 'tokensPerDay',
  tpmo: 'tokensPerMonth',
};

function parseOverrides(overrides: string | undefined): ClientLimits & { admin?: true } {
  const limits: ClientLimits & { admin?: true } = {};
  for (const pair of overrides?.split(';') ?? []) {
    const [name, value] = pair.split('=') as [string, string];
    if (name === 'admin') limits.admin = true;
    else limits[OVERRIDES[name]] = Math.min(Number(value), Number.MAX_SAFE_INTEGER);
  }
  return limits;
}

function sameLimits(a: ClientEntry, b: ClientEntry): boolean {
  return a.admin === b.admin && Object.values(OVERRIDES).every((field) => a[field] === b[field]);
}
