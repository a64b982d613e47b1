import { describe, expect, it } from '@jest/globals';
import { loadHistorySchema } from './history.schema.js';
import { CreateQueryHistory1764300000000 } from './postgres/migrations/1764300000000-create-query-history.js';
import { AddQueryHistoryClient1796022735130 } from './postgres/migrations/1796022735130-add-query-history-client.js';
import { AddQueryHistoryConversation1796300000000 } from './postgres/migrations/1796300000000-add-query-history-conversation.js';
import { QueryRecordEntity } from './postgres/query-record.entity.js';

describe('loadHistorySchema', () => {
  it('contributes the query history table and its migrations, oldest first', async () => {
    const schema = await loadHistorySchema();
    expect(schema.entities).toEqual([QueryRecordEntity]);
    expect((schema.entities as unknown[])[0]).toBe(QueryRecordEntity);
    expect(schema.migrations).toEqual([
      CreateQueryHistory1764300000000,
      AddQueryHistoryClient1796022735130,
      AddQueryHistoryConversation1796300000000,
    ]);
  });
});
