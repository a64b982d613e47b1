import type { DatabaseSchema } from '@app/platform/database';
import { loadConversationSchema } from './conversations/conversation.schema.js';
import { loadHistorySchema } from './history/history.schema.js';

/** Every table and migration the agent contributes to PostgreSQL (history, conversations). */
export async function loadAgentSchema(): Promise<DatabaseSchema> {
  // One after the other: Jest's ESM loader races on concurrent imports of a shared module.
  const history = await loadHistorySchema();
  const conversations = await loadConversationSchema();
  const list = <T>(value: T[] | Record<string, T>) => Object.values(value);
  return {
    entities: [...list(history.entities), ...list(conversations.entities)],
    migrations: [...list(history.migrations), ...list(conversations.migrations)],
  };
}
