import { EntitySchema } from 'typeorm';

// Mappings of the conversation tables (see the migrations). The stores query them in SQL: an
// append, its trim and the conversation's byte count move together in one statement each.

export interface ConversationRow {
  id: string;
  clientId: string | null;
  createdAt: Date;
  expiresAt: Date;
  metadata: Record<string, string>;
  bytes: number;
}

export interface ConversationItemRow {
  seq: string;
  conversationId: string;
  id: string;
  item: Record<string, unknown>;
  bytes: number;
}

export interface StoredResponseRow {
  id: string;
  clientId: string | null;
  createdAt: Date;
  expiresAt: Date;
  body: Record<string, unknown>;
  bytes: number;
}

const owned = {
  clientId: { name: 'client_id', type: 'varchar', length: 64, nullable: true },
  createdAt: { name: 'created_at', type: 'timestamptz' },
  expiresAt: { name: 'expires_at', type: 'timestamptz' },
  bytes: { type: 'integer' },
} as const;

export const ConversationEntity = new EntitySchema<ConversationRow>({
  name: 'Conversation',
  tableName: 'conversations',
  columns: {
    id: { type: 'varchar', length: 128, primary: true },
    ...owned,
    metadata: { type: 'json' },
  },
});

export const ConversationItemEntity = new EntitySchema<ConversationItemRow>({
  name: 'ConversationItem',
  tableName: 'conversation_items',
  columns: {
    seq: { type: 'bigint', primary: true, generated: 'increment' },
    conversationId: { name: 'conversation_id', type: 'varchar', length: 128 },
    id: { type: 'varchar', length: 128 },
    item: { type: 'json' },
    bytes: { type: 'integer' },
  },
});

export const StoredResponseEntity = new EntitySchema<StoredResponseRow>({
  name: 'StoredResponse',
  tableName: 'stored_responses',
  columns: {
    id: { type: 'varchar', length: 128, primary: true },
    ...owned,
    body: { type: 'json' },
  },
});
