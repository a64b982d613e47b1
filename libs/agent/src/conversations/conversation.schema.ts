import type { DatabaseSchema } from '@app/platform/database';

/** The tables of conversations and stored responses, loaded on demand with TypeORM. */
export async function loadConversationSchema(): Promise<DatabaseSchema> {
  const { ConversationEntity, ConversationItemEntity, StoredResponseEntity } =
    await import('./postgres/conversation.entities.js');
  const { CreateConversations1796300000001 } =
    await import('./postgres/migrations/1796300000001-create-conversations.js');
  return {
    entities: [ConversationEntity, ConversationItemEntity, StoredResponseEntity],
    migrations: [CreateConversations1796300000001],
  };
}
