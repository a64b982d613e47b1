import { timingSafeEqual } from 'node:crypto';
import { API_KEY_ENTRY } from '@app/platform';

/** Per-client limits from a key entry; absent fields fall back to the global settings. */
export interface ClientLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Token budgets per UTC day and calendar month (see budgets/). */
  tokensPerDay?: number;
  tokensPerMonth?: number;
}

/** A configured client: its id (the label in logs, metrics and history) and its overrides. */
export interface ClientEntry extends ClientLimits {
  readonly id: string;
}

/** One line of configuration with where it came from, for error messages. */
export interface KeyLine {
  text: string;
  source: string;
}

/** Bound on entries: the table lives in memory and labels metrics. */
export const MAX_KEY_ENTRIES = 10_000;

interface StoredKey {
  digest: Buffer;
  client: ClientEntry;
}

// Keys are found by a short prefix of their digest, then compared in full in constant time:
// timing can at most reveal whether 32 bits of SHA-256(guess) match, which says nothing.
const BUCKET_HEX = 8;

/**
 * The parsed key configuration: clients by the SHA-256 of their keys. Several keys may belong
 * to one client (rotation); one key cannot belong to two clients.
 */
export class KeyTable {
  private constructor(
    private readonly buckets: ReadonlyMap<string, StoredKey[]>,
    readonly clients: ReadonlyMap<string, ClientEntry>,
    readonly keyCount: number,
  ) {}

  /** The client whose key has this SHA-256 digest. */
  lookup(digest: Buffer): ClientEntry | undefined {
    let found: ClientEntry | undefined;
    for (const stored of this.buckets.get(digest.toString('hex', 0, BUCKET_HEX / 2)) ?? []) {
      if (timingSafeEqual(stored.digest, digest)) found = stored.client;
    }
    return found;
  }

  static empty(): KeyTable {
    return new KeyTable(new Map(), new Map(), 0);
  }

  /**
   * Parses entries `client-id:sha256-hex[:rpm=N;tpm=N;tpd=N;tpmo=N]`. Problems name the line (never its
   * content, which holds a hash) and the table is built only when there are none.
   */
  static parse(lines: KeyLine[]): { table: KeyTable; problems: string[] } {
    const problems: string[] = [];
    const byDigest = new Map<string, ClientEntry>();
    const clients = new Map<string, ClientEntry>();
    const buckets = new Map<string, StoredKey[]>();
    for (const { text, source } of lines) {
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
      bucket.push({ digest: Buffer.from(digest, 'hex'), client });
      buckets.set(digest.slice(0, BUCKET_HEX), bucket);
    }
    if (byDigest.size > MAX_KEY_ENTRIES) {
      problems.push(`more than ${MAX_KEY_ENTRIES} keys configured`);
    }
    return { table: new KeyTable(buckets, clients, byDigest.size), problems };
  }
}

/** Entry names of the overrides (API_KEY_ENTRY admits only these). */
const OVERRIDES: Record<string, keyof ClientLimits> = {
  rpm: 'requestsPerMinute',
  tpm: 'tokensPerMinute',
  tpd: 'tokensPerDay',
  tpmo: 'tokensPerMonth',
};

function parseOverrides(overrides: string | undefined): ClientLimits {
  const limits: ClientLimits = {};
  for (const pair of overrides?.split(';') ?? []) {
    const [name, value] = pair.split('=') as [string, string];
    limits[OVERRIDES[name]] = Math.min(Number(value), Number.MAX_SAFE_INTEGER);
  }
  return limits;
}

function sameLimits(a: ClientLimits, b: ClientLimits): boolean {
  return Object.values(OVERRIDES).every((field) => a[field] === b[field]);
}
