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
