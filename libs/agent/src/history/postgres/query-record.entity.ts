import { EntitySchema } from 'typeorm';
import type { QueryRecord } from '../query-record.js';

/** Mapping of {@link QueryRecord} onto the `query_history` table (see the migrations). */
export const QueryRecordEntity = new EntitySchema<QueryRecord>({
  name: 'QueryRecord',
  tableName: 'query_history',
  columns: {
    id: { type: 'uuid', primary: true },
    createdAt: { name: 'created_at', type: 'timestamptz' },
    requestId: { name: 'request_id', type: 'varchar', length: 128, nullable: true },
    clientId: { name: 'client_id', type: 'varchar', length: 64, nullable: true },
    conversationId: { name: 'conversation_id', type: 'varchar', length: 128, nullable: true },
    outcome: { type: 'varchar', length: 16 },
    provider: { type: 'varchar', length: 32 },
    model: { type: 'varchar', length: 128 },
    prompt: { type: 'text', nullable: true },
    response: { type: 'text', nullable: true },
    promptChars: { name: 'prompt_chars', type: 'integer' },
    responseChars: { name: 'response_chars', type: 'integer' },
    promptSha256: { name: 'prompt_sha256', type: 'char', length: 64 },
    maxTokens: { name: 'max_tokens', type: 'integer' },
    promptTokens: { name: 'prompt_tokens', type: 'integer' },
    completionTokens: { name: 'completion_tokens', type: 'integer' },
    tokensUsed: { name: 'tokens_used', type: 'integer' },
    latencyMs: { name: 'latency_ms', type: 'double precision' },
    cacheStatus: { name: 'cache_status', type: 'varchar', length: 8 },
  },
});
