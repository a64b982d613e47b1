/** How the answer was obtained: from the cache, fresh (and cached), or fresh on request. */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

/** One answered query, as kept in the history. */
export interface QueryRecord {
  id: string;
  createdAt: Date;
  requestId: string | null;
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
