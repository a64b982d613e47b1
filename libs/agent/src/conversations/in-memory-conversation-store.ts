import { randomBytes } from 'node:crypto';
import {
  itemBytes,
  oldestToDrop,
  type ConversationItem,
  type ConversationLimits,
  type ConversationRecord,
  type ConversationStore,
  type ItemPage,
  type ItemPageQuery,
  type Metadata,
} from './conversation-store.js';

interface Entry {
  record: ConversationRecord;
  items: ConversationItem[];
  sizes: number[];
  bytes: number;
  expiresAt: number;
}

/** A new conversation id, in OpenAI's form. */
export const conversationId = () => `conv_${randomBytes(24).toString('hex')}`;

/**
 * Conversations kept in process. Each use moves a conversation to the end of the map and renews
 * its expiry, so the map runs from the least recently used (first to expire, first to go when
 * the total bound is reached) to the most.
 */
export class InMemoryConversationStore implements ConversationStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly limits: ConversationLimits,
    // Read at each call, so a test that fakes Date moves this clock too.
    private readonly now: () => number = () => Date.now(),
  ) {}

  create(clientId: string | null, metadata: Metadata, items: ConversationItem[]) {
    const record = {
      id: conversationId(),
      clientId,
      createdAt: Math.floor(this.now() / 1000),
      metadata,
    };
    const entry = { record, items: [], sizes: [], bytes: 0, expiresAt: 0 };
    this.entries.set(record.id, entry);
    this.add(entry, items);
    return Promise.resolve(record);
  }

  get(id: string, clientId: string | null) {
    return Promise.resolve(this.touch(id, clientId)?.record);
  }

  update(id: string, clientId: string | null, metadata: Metadata) {
    const entry = this.touch(id, clientId);
    if (entry) entry.record = { ...entry.record, metadata };
    return Promise.resolve(entry?.record);
  }

  delete(id: string, clientId: string | null) {
    const entry = this.find(id, clientId);
    if (entry) this.remove(id, entry);
    return Promise.resolve(entry !== undefined);
  }

  append(id: string, clientId: string | null, items: ConversationItem[]) {
    const entry = this.touch(id, clientId);
    if (entry) this.add(entry, items);
    return Promise.resolve(entry !== undefined);
  }

  items(id: string, clientId: string | null) {
    return Promise.resolve(this.touch(id, clientId)?.items.slice());
  }

  page(id: string, clientId: string | null, query: ItemPageQuery): Promise<ItemPage | undefined> {
    const entry = this.touch(id, clientId);
    if (!entry) return Promise.resolve(undefined);
    const ordered = query.order === 'asc' ? entry.items : entry.items.slice().reverse();
    const start = query.after ? ordered.findIndex((i) => i.id === query.after) + 1 : 0;
    const rest = query.after && start === 0 ? [] : ordered.slice(start);
    return Promise.resolve({
      items: rest.slice(0, query.limit),
      hasMore: rest.length > query.limit,
    });
  }

  item(id: string, clientId: string | null, itemId: string) {
    return Promise.resolve(this.touch(id, clientId)?.items.find((i) => i.id === itemId));
  }

  deleteItem(id: string, clientId: string | null, itemId: string) {
    const entry = this.touch(id, clientId);
    const index = entry ? entry.items.findIndex((i) => i.id === itemId) : -1;
    if (!entry || index < 0) return Promise.resolve(false);
    entry.items.splice(index, 1);
    const [size] = entry.sizes.splice(index, 1);
    entry.bytes -= size;
    this.bytes -= size;
    return Promise.resolve(true);
  }

  private find(id: string, clientId: string | null): Entry | undefined {
    this.purgeExpired();
    const entry = this.entries.get(id);
    return entry && entry.record.clientId === clientId ? entry : undefined;
  }

  /** The client's conversation, renewed and moved to the most recently used end. */
  private touch(id: string, clientId: string | null): Entry | undefined {
    const entry = this.find(id, clientId);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    entry.expiresAt = this.now() + this.limits.ttlSeconds * 1000;
    return entry;
  }

  private add(entry: Entry, items: ConversationItem[]): void {
    entry.expiresAt = this.now() + this.limits.ttlSeconds * 1000;
    const sizes = items.map(itemBytes);
    entry.items.push(...items);
    entry.sizes.push(...sizes);
    const added = sizes.reduce((a, b) => a + b, 0);
    entry.bytes += added;
    this.bytes += added;
    const drop = oldestToDrop(entry.sizes, this.limits.maxBytes);
    if (drop) {
      entry.items.splice(0, drop);
      const dropped = entry.sizes.splice(0, drop).reduce((a, b) => a + b, 0);
      entry.bytes -= dropped;
      this.bytes -= dropped;
    }
    for (const [id, oldest] of this.entries) {
      if (this.bytes <= this.limits.totalMaxBytes || oldest === entry) break;
      this.remove(id, oldest);
    }
  }

  private purgeExpired(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.remove(id, entry);
    }
  }

  private remove(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.bytes -= entry.bytes;
  }
}
