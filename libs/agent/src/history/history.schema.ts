import type { DatabaseSchema } from '@app/platform/database';

/** The tables and migrations the agent contributes to PostgreSQL, loaded on demand with TypeORM. */
export async function loadHistorySchema(): Promise<DatabaseSchema> {
  // One after the other: Jest's ESM loader races on concurrent imports of a shared module.
  const { QueryRecordEntity } = await import('./postgres/query-record.entity.js');
  const { CreateQueryHistory1764300000000 } =
    await import('./postgres/migrations/1764300000000-create-query-history.js');
  const { AddQueryHistoryClient1796022735130 } =
    await import('./postgres/migrations/1796022735130-add-query-history-client.js');
  const { AddQueryHistoryConversation1796300000000 } =
    await import('./postgres/migrations/1796300000000-add-query-history-conversation.js');
  return {
    entities: [QueryRecordEntity],
    migrations: [
      CreateQueryHistory1764300000000,
      AddQueryHistoryClient1796022735130,
      AddQueryHistoryConversation1796300000000,
    ],
  };
}
