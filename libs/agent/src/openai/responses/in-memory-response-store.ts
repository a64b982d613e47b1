import {
  storedBytes,
  type ResponseStore,
  type ResponseStoreLimits,
  type StoredResponse,
} from './response-store.js';

/**
 * Responses kept in process, bounded in count and bytes (the oldest go first). Entries are
 * kept in the order they were stored, which is also the order they expire in.
 */
export class InMemoryResponseStore implements ResponseStore {
  private readonly entries = new Map<
    string,
    { stored: StoredResponse; bytes: number; expiresAt: number }
  >();
  private bytes = 0;

  constructor(
    private readonly limits: ResponseStoreLimits,
    // Read at each call, so a test that fakes Date moves this clock too.
    private readonly now: () => number = () => Date.now(),
  ) {}

  put(id: string, stored: StoredResponse): Promise<void> {
    const bytes = storedBytes(stored);
    if (bytes > this.limits.maxBytes) return Promise.resolve();
    this.remove(id);
    const expiresAt = this.now() + this.limits.ttlSeconds * 1000;
    this.entries.set(id, { stored, bytes, expiresAt });
    this.bytes += bytes;
    const now = this.now();
    for (const [oldest, entry] of this.entries) {
      const over = this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes;
      if (!over && entry.expiresAt > now) break;
      this.remove(oldest);
    }
    return Promise.resolve();
  }

  get(id: string, clientId: string | null): Promise<StoredResponse | undefined> {
    return Promise.resolve(this.find(id, clientId)?.stored);
  }

  delete(id: string, clientId: string | null): Promise<boolean> {
    const found = this.find(id, clientId) !== undefined;
    if (found) this.remove(id);
    return Promise.resolve(found);
  }

  private find(id: string, clientId: string | null) {
    const entry = this.entries.get(id);
    if (!entry || entry.stored.clientId !== clientId) return undefined;
    if (entry.expiresAt > this.now()) return entry;
    this.remove(id);
    return undefined;
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
  }
}
