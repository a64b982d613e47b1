import type { OnModuleDestroy } from '@nestjs/common';
import { conversationId } from '../in-memory-conversation-store.js';
import {
  itemBytes,
  type ConversationItem,
  type ConversationLimits,
  type ConversationRecord,
  type ConversationStore,
  type ItemPage,
  type ItemPageQuery,
  type Metadata,
} from '../conversation-store.js';
import type { PostgresAccess } from './postgres-access.js';

interface Row {
  id: string;
  client_id: string | null;
  created_at: string;
  metadata: Metadata;
}

const RECORD = `id, client_id, floor(extract(epoch FROM created_at))::bigint AS created_at, metadata`;
// The client's live conversation, renewed: every use of a conversation goes through it.
const TOUCH = `UPDATE conversations SET expires_at = $3
  WHERE id = $1 AND client_id IS NOT DISTINCT FROM $2::varchar AND expires_at > $4`;

/**
 * Conversations in PostgreSQL, shared by every replica. An append adds the items, then drops
 * the oldest beyond the conversation's byte bound, under the conversation row's lock (so two
 * appends to one conversation take turns). Expired conversations are purged with their items.
 */
export class PostgresConversationStore implements ConversationStore, OnModuleDestroy {
  constructor(
    private readonly db: PostgresAccess,
    private readonly limits: ConversationLimits,
  ) {
    db.startPurging('conversations');
  }

  onModuleDestroy(): void {
    this.db.stopPurging();
  }

  async create(clientId: string | null, metadata: Metadata, items: ConversationItem[]) {
    const id = conversationId();
    await this.db.sql(
      `INSERT INTO conversations (id, client_id, created_at, expires_at, metadata, bytes)
       VALUES ($1, $2, $3, $4, $5, 0)`,
      [id, clientId, new Date(this.db.now()), this.expiry(), JSON.stringify(metadata)],
    );
    if (items.length) await this.append(id, clientId, items);
    return { id, clientId, createdAt: Math.floor(this.db.now() / 1000), metadata };
  }

  async get(id: string, clientId: string | null) {
    return this.touch(id, clientId);
  }

  async update(id: string, clientId: string | null, metadata: Metadata) {
    const rows = await this.db.sql<Row>(
      `WITH u AS (UPDATE conversations SET expires_at = $3, metadata = $5
         WHERE id = $1 AND client_id IS NOT DISTINCT FROM $2::varchar AND expires_at > $4
         RETURNING ${RECORD}) SELECT * FROM u`,
      [id, clientId, this.expiry(), new Date(this.db.now()), JSON.stringify(metadata)],
    );
    return rows[0] && recordOf(rows[0]);
  }

  async delete(id: string, clientId: string | null) {
    return this.db.deleteOwned('conversations', id, clientId);
  }

  async append(id: string, clientId: string | null, items: ConversationItem[]) {
    const batch = items.map((item) => ({ id: item.id, item, bytes: itemBytes(item) }));
    const added = batch.reduce((sum, i) => sum + i.bytes, 0);
    // One statement: renew and count the conversation (its row locked until the end), add the
    // items, then drop the oldest items beyond the bound and take their bytes off the count.
    const rows = await this.db.sql<{ id: string }>(
      `WITH c AS (${TOUCH.replace('SET expires_at = $3', 'SET expires_at = $3, bytes = bytes + $5')}
         RETURNING id, bytes),
       ins AS (INSERT INTO conversation_items (conversation_id, id, item, bytes)
         SELECT c.id, x.id, x.item, x.bytes FROM c,
           json_to_recordset($6::json) AS x(id varchar, item json, bytes integer)
         RETURNING seq, bytes)
       SELECT id FROM c`,
      [id, clientId, this.expiry(), new Date(this.db.now()), added, JSON.stringify(batch)],
    );
    if (!rows.length) return false;
    await this.db.sql(
      `WITH d AS (DELETE FROM conversation_items WHERE seq IN (
           SELECT seq FROM (SELECT seq, sum(bytes) OVER (ORDER BY seq DESC) AS kept
             FROM conversation_items WHERE conversation_id = $1) t WHERE kept > $2)
         RETURNING bytes)
       UPDATE conversations SET bytes = bytes - (SELECT coalesce(sum(bytes), 0) FROM d)
         WHERE id = $1`,
      [id, this.limits.maxBytes],
    );
    return true;
  }

  async items(id: string, clientId: string | null) {
    if (!(await this.touch(id, clientId))) return undefined;
    const rows = await this.db.sql<{ item: ConversationItem }>(
      'SELECT item FROM conversation_items WHERE conversation_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map((r) => r.item);
  }

  async page(
    id: string,
    clientId: string | null,
    query: ItemPageQuery,
  ): Promise<ItemPage | undefined> {
    if (!(await this.touch(id, clientId))) return undefined;
    const [direction, compare] = query.order === 'asc' ? ['ASC', '>'] : ['DESC', '<'];
    const after = query.after
      ? `AND seq ${compare} (SELECT seq FROM conversation_items WHERE conversation_id = $1 AND id = $3)`
      : 'AND $3::varchar IS NULL';
    const rows = await this.db.sql<{ item: ConversationItem }>(
      `SELECT item FROM conversation_items WHERE conversation_id = $1 ${after}
       ORDER BY seq ${direction} LIMIT $2`,
      [id, query.limit + 1, query.after ?? null],
    );
    return {
      items: rows.slice(0, query.limit).map((r) => r.item),
      hasMore: rows.length > query.limit,
    };
  }

  async item(id: string, clientId: string | null, itemId: string) {
    if (!(await this.touch(id, clientId))) return undefined;
    const rows = await this.db.sql<{ item: ConversationItem }>(
      'SELECT item FROM conversation_items WHERE conversation_id = $1 AND id = $2',
      [id, itemId],
    );
    return rows[0]?.item;
  }

  async deleteItem(id: string, clientId: string | null, itemId: string) {
    if (!(await this.touch(id, clientId))) return false;
    const rows = await this.db.sql(
      `WITH d AS (DELETE FROM conversation_items WHERE conversation_id = $1 AND id = $2
         RETURNING bytes),
       u AS (UPDATE conversations SET bytes = bytes - (SELECT coalesce(sum(bytes), 0) FROM d)
         WHERE id = $1)
       SELECT bytes FROM d`,
      [id, itemId],
    );
    return rows.length > 0;
  }

  private async touch(
    id: string,
    clientId: string | null,
  ): Promise<ConversationRecord | undefined> {
    const rows = await this.db.sql<Row>(
      `WITH u AS (${TOUCH} RETURNING ${RECORD}) SELECT * FROM u`,
      [id, clientId, this.expiry(), new Date(this.db.now())],
    );
    return rows[0] && recordOf(rows[0]);
  }

  private expiry(): Date {
    return this.db.after(this.limits.ttlSeconds);
  }
}

function recordOf(row: Row): ConversationRecord {
  return {
    id: row.id,
    clientId: row.client_id,
    createdAt: Number(row.created_at),
    metadata: row.metadata,
  };
}
