/** How the answer was obtained: from the cache, fresh (and cached), or fresh on request. */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';
/** `cancelled`: the client went away before the answer and the provider call was aborted. */
export type QueryOutcome = 'answered' | 'cancelled';

/** One answered query, as kept in the history. */
export interface QueryRecord {
  id: string;
  createdAt: Date;
  requestId: string | null;
  /** The API client that asked; null when the service ran without keys. */
  clientId: string | null;
  /** The conversation (`/query`'s `conversation_id`) the query was a turn of. */
  conversationId: string | null;
  outcome: QueryOutcome;
  provider: string;
  model: string;
  /** Null when HISTORY_STORE_TEXT=false. */
  prompt: string | null;
  /** Null when HISTORY_STORE_TEXT=false. */
  response: string | null;
  promptChars: number;
  responseChars: number;
  promptSha256: string;
  maxTokens: number;
  promptTokens: number;
  completionTokens: number;
  tokensUsed: number;
  latencyMs: number;
  cacheStatus: CacheStatus;
}

// Ids, hashes, numbers, the Date and the object itself, generously rounded up.
const RECORD_OVERHEAD_BYTES = 1024;

/**
 * Memory a record holds, estimated from above: strings counted at two bytes per UTF-16 unit
 * (V8 stores Latin-1 text in one), plus a fixed overhead. Used for the history's byte bounds.
 */
export function estimateRecordBytes(record: QueryRecord): number {
  const text =
    (record.prompt?.length ?? 0) +
    (record.response?.length ?? 0) +
    (record.requestId?.length ?? 0) +
    (record.conversationId?.length ?? 0) +
    record.model.length +
    record.provider.length;
  return 2 * text + RECORD_OVERHEAD_BYTES;
}
