/** Up to 16 string pairs, as OpenAI's `metadata`. */
export type Metadata = Record<string, string>;

/** An item as the Conversations API lists it: an input or output item of the Responses API. */
export type ConversationItem = Record<string, unknown> & { id: string; type: string };

/** A conversation without its items. */
export interface ConversationRecord {
  id: string;
  clientId: string | null;
  /** Seconds since the epoch. */
  createdAt: number;
  metadata: Metadata;
}

export interface ItemPageQuery {
  /** Item id the page starts after (in `order`); an unknown one gives an empty page. */
  after?: string;
  limit: number;
  order: 'asc' | 'desc';
}

export interface ItemPage {
  items: ConversationItem[];
  hasMore: boolean;
}

/**
 * Conversations of the API clients, each visible only to the client that made it (another
 * client's id is simply not found). Appending keeps a conversation within its byte bound by
 * dropping its oldest items; every use renews its time to live.
 */
export interface ConversationStore {
  create(
    clientId: string | null,
    metadata: Metadata,
    items: ConversationItem[],
  ): Promise<ConversationRecord>;
  get(id: string, clientId: string | null): Promise<ConversationRecord | undefined>;
  update(
    id: string,
    clientId: string | null,
    metadata: Metadata,
  ): Promise<ConversationRecord | undefined>;
  delete(id: string, clientId: string | null): Promise<boolean>;
  /** False when there is no such conversation for this client. */
  append(id: string, clientId: string | null, items: ConversationItem[]): Promise<boolean>;
  /** Every item, oldest first. */
  items(id: string, clientId: string | null): Promise<ConversationItem[] | undefined>;
  page(id: string, clientId: string | null, query: ItemPageQuery): Promise<ItemPage | undefined>;
  item(id: string, clientId: string | null, itemId: string): Promise<ConversationItem | undefined>;
  /** False when the conversation or the item is not there. */
  deleteItem(id: string, clientId: string | null, itemId: string): Promise<boolean>;
}

/** Injection token of the {@link ConversationStore}. */
export const CONVERSATION_STORE = Symbol('CONVERSATION_STORE');

export interface ConversationLimits {
  ttlSeconds: number;
  /** Bytes of items one conversation keeps. */
  maxBytes: number;
  /** Bytes of all conversations together (in process only). */
  totalMaxBytes: number;
}

/** Bytes an item is accounted for: its JSON. */
export const itemBytes = (item: unknown): number => Buffer.byteLength(JSON.stringify(item));

/** Which of `sizes` (oldest first) to drop so the rest fits in `maxBytes`: a count from the start. */
export function oldestToDrop(sizes: number[], maxBytes: number): number {
  let total = sizes.reduce((a, b) => a + b, 0);
  let drop = 0;
  while (drop < sizes.length && total > maxBytes) total -= sizes[drop++];
  return drop;
}
