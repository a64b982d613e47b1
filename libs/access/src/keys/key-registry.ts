import type { OnApplicationShutdown } from '@nestjs/common';
import { hash } from 'node:crypto';
import { readFileSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { PinoLogger } from 'nestjs-pino';
import type { AccessMetrics } from '../access.metrics.js';
import { apiKeyDigest, MAX_API_KEY_LENGTH } from './api-key.js';
import { KeyTable, type ClientEntry, type KeyLine, type TableKey } from './key-table.js';

/** A mounted secret is small; anything larger is a mistake, not a key list. */
const MAX_FILE_BYTES = 1024 * 1024;
/** How often the file is checked (stat only): catches edits and Kubernetes' symlink swaps. */
const WATCH_INTERVAL_MS = 1_000;
/**
 * A changed file is applied only once two reads this far apart agree: an editor or a shell that
 * truncates and then writes it leaves an empty or half-written file for a moment, and that
 * moment must not lock every client out.
 */
const SETTLE_MS = 300;
/** An emptied file must stay empty longer: it would refuse every client. */
const EMPTY_SETTLE_MS = 5_000;
/** Reads after which a file that never stops changing is left alone (until its next change). */
const MAX_SETTLE_ROUNDS = 10;

export interface KeySources {
  /** Entries from API_KEYS (already validated at boot). */
  entries: string[];
  /** API_KEYS_FILE, reloaded on change and on SIGHUP. */
  file?: string;
  /** Keys are also managed through the key API: keys are required even when none is listed. */
  managed?: boolean;
  /** Time a changed file must stay the same before it is applied (tests shorten it). */
  settleMs?: number;
  /** The same for a file without a single entry. */
  emptySettleMs?: number;
}

/**
 * The configured API keys. Keys are configured when API_KEYS, API_KEYS_FILE or the key API is
 * set (decided once at boot, so an emptied file locks everyone out instead of opening the
 * service). A reload that fails keeps the previous keys in force. Keys managed through the key
 * API live in a second table, replaced whole on every change, so a lookup stays synchronous.
 */
export class KeyRegistry implements OnApplicationShutdown {
  readonly enabled: boolean;
  private table = KeyTable.empty();
  private managed = KeyTable.empty();
  private admins = false;
  private fileContentDigest: string | undefined;
  private watching = false;
  /** The reload under way, and whether another was asked for meanwhile. */
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private readonly onSighup = (): void => void this.reload('SIGHUP');

  constructor(
    private readonly sources: KeySources,
    private readonly logger: PinoLogger,
    private readonly metrics: AccessMetrics,
  ) {
    this.enabled =
      sources.entries.length > 0 || sources.file !== undefined || sources.managed === true;
  }

  /** Loads every source; throws (failing start-up) when one is unreadable or invalid. */
  load(): void {
    const content = this.sources.file === undefined ? undefined : this.readFile();
    const { table, problems } = this.parse(content);
    if (problems.length > 0) throw new Error(`Invalid API keys: ${problems.join('; ')}`);
    this.apply(table, content);
  }

  /** Watches API_KEYS_FILE and listens for SIGHUP. */
  watch(): void {
    if (this.sources.file === undefined || this.watching) return;
    this.watching = true;
    watchFile(
      this.sources.file,
      { interval: WATCH_INTERVAL_MS, persistent: false },
      (current: Stats, previous: Stats) => {
        if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino) {
          void this.reload('file change');
        }
      },
    );
    process.on('SIGHUP', this.onSighup);
  }

  onApplicationShutdown(): void {
    if (!this.watching || this.sources.file === undefined) return;
    unwatchFile(this.sources.file);
    process.off('SIGHUP', this.onSighup);
    this.watching = false;
  }

  /** The client a presented key belongs to; undefined for unknown keys. */
  authenticate(key: string): ClientEntry | undefined {
    if (key.length === 0 || key.length > MAX_API_KEY_LENGTH) return undefined;
    const digest = apiKeyDigest(key);
    return this.table.lookup(digest) ?? this.managed.lookup(digest);
  }

  /** A configured client by id, with its limits. */
  client(id: string): ClientEntry | undefined {
    return this.table.clients.get(id);
  }

  /** Configured client ids (they bound the metrics' label values). */
  clientIds(): string[] {
    return [...new Set([...this.table.clients.keys(), ...this.managed.clients.keys()])];
  }

  /** The keys from API_KEYS and API_KEYS_FILE (read-only to the key API). */
  configuredKeys(): TableKey[] {
    return this.table.keys();
  }

  /** Whether a configured or managed key may manage keys. */
  get hasAdminKeys(): boolean {
    return this.admins;
  }

  /** Replaces the keys managed through the key API (a snapshot of the key store). */
  setManagedKeys(table: KeyTable): void {
    this.managed = table;
    this.counted();
  }

  /**
   * Rereads API_KEYS_FILE and applies it once it has settled; an unchanged file is a no-op, an
   * invalid one changes nothing. Resolves when this reload (and any asked for meanwhile) is done.
   */
  reload(reason: string): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.reloadOnce(reason);
      } while (this.reloadAgain);
    })().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reloadOnce(reason: string): Promise<void> {
    let content: string;
    try {
      content = this.readFile();
      if (sha256(content) === this.fileContentDigest) return;
      content = await this.settled(content);
    } catch (error) {
      this.metrics.keyReloads.inc({ result: 'failed' });
      this.logger.error({ reason, err: error }, 'API keys not reloaded: file unreadable');
      return;
    }
    const digest = sha256(content);
    if (digest === this.fileContentDigest) return;
    const { table, problems } = this.parse(content);
    if (problems.length > 0) {
      this.metrics.keyReloads.inc({ result: 'failed' });
      // Logged once per file version: the watcher sees the same bad file again and again.
      this.fileContentDigest = digest;
      this.logger.error(
        { reason, problems },
        'API keys not reloaded: invalid file, the previous keys stay in force',
      );
      return;
    }
    this.apply(table, content);
    this.metrics.keyReloads.inc({ result: 'applied' });
    const fields = { reason, clients: table.clients.size, keys: table.keyCount };
    if (table.keyCount === 0) {
      this.logger.warn(fields, 'API keys reloaded: no keys, every client is refused');
    } else {
      this.logger.info(fields, 'API keys reloaded');
    }
  }

  /** The file's content once two reads SETTLE_MS apart agree; throws if it never settles. */
  private async settled(first: string): Promise<string> {
    let previous = first;
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      const settleMs = hasEntries(previous)
        ? (this.sources.settleMs ?? SETTLE_MS)
        : (this.sources.emptySettleMs ?? EMPTY_SETTLE_MS);
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const current = this.readFile();
      if (current === previous) return current;
      if (round === 0) {
        this.logger.warn('API keys file still changing: the previous keys stay in force meanwhile');
      }
      previous = current;
    }
    throw new Error('API_KEYS_FILE kept changing while being read');
  }

  private parse(fileContent: string | undefined): { table: KeyTable; problems: string[] } {
    const lines: KeyLine[] = this.sources.entries.map((text, i) => ({
      text,
      source: `API_KEYS entry ${i + 1}`,
      origin: 'environment',
    }));
    (fileContent ?? '').split('\n').forEach((raw, i) => {
      const text = raw.trim();
      if (text && !text.startsWith('#'))
        lines.push({ text, source: `API_KEYS_FILE line ${i + 1}`, origin: 'file' });
    });
    return KeyTable.parse(lines);
  }

  private apply(table: KeyTable, fileContent: string | undefined): void {
    this.table = table;
    this.fileContentDigest = fileContent === undefined ? undefined : sha256(fileContent);
    this.counted();
  }

  private counted(): void {
    this.admins = this.table.hasAdmin || this.managed.hasAdmin;
    this.metrics.keysConfigured.set(this.table.keyCount + this.managed.keyCount);
  }

  private readFile(): string {
    const file = this.sources.file as string;
    if (statSync(file).size > MAX_FILE_BYTES) {
      throw new Error(`API_KEYS_FILE is larger than ${MAX_FILE_BYTES} bytes`);
    }
    return readFileSync(file, 'utf8');
  }
}

/** Whether a key file has at least one entry (a line that is neither blank nor a comment). */
function hasEntries(content: string): boolean {
  return content.split('\n').some((line) => {
    const text = line.trim();
    return text !== '' && !text.startsWith('#');
  });
}

function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}
