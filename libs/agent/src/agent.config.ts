import type { CacheScope, Environment } from '@app/platform';
import type { AgentEnvironment, LlmProviderName } from './agent.environment.js';

/** The agent's own settings, read from the validated environment. */
export interface AgentConfig {
  provider: {
    name: LlmProviderName;
    baseUrl: string;
    apiKey: string | undefined;
    /** Undefined: the provider's own default model. */
    model: string | undefined;
    timeoutMs: number;
    maxRetries: number;
    /** /v1: ceiling on max_tokens, and the bound of a request that sends none. */
    maxCompletionTokens: number;
    /** Simulated latency of the built-in provider. */
    builtinLatencyMs: number;
    /** Tried in order when the provider fails: `builtin` or OpenAI-compatible endpoint URLs. */
    fallbacks: string[];
    breakerThreshold: number;
    breakerCooldownMs: number;
    /** Byte bounds on what an upstream may send for one answer. */
    maxAnswerBytes: number;
    maxEventBytes: number;
  };
  /** /v1/responses: conversation carried over, and the bounds of the stored responses. */
  responses: {
    contextMaxBytes: number;
    storeMaxEntries: number;
    storeMaxBytes: number;
    storeTtlSeconds: number;
  };
  /** /v1/conversations and /query's conversation_id. */
  conversations: { ttlSeconds: number; maxBytes: number; totalMaxBytes: number };
  /** Pause after which a streamed answer gets an SSE keep-alive comment. */
  streamKeepAliveMs: number;
  /** How long a client may read nothing of its stream before it is cut off. */
  streamStallTimeoutMs: number;
  cache: {
    /** Whose answers a cache entry serves: the client that caused it, or every client. */
    scope: CacheScope;
    /** 0 turns the response cache off. */
    ttlSeconds: number;
    /** Bounds of the in-process cache (used without Redis). */
    maxEntries: number;
    maxBytes: number;
  };
  history: {
    /** false keeps prompts and responses out of the history. */
    storeText: boolean;
    /** Bounds of the write-behind buffer in front of PostgreSQL. */
    bufferMaxRecords: number;
    bufferMaxBytes: number;
    /** Bounds of the in-process history (used without PostgreSQL). */
    memoryMaxRecords: number;
    memoryMaxBytes: number;
  };
}

/** The agent slice of the environment. */
export function agentConfig(env: Environment & AgentEnvironment): AgentConfig {
  return {
    provider: {
      name: env.LLM_PROVIDER,
      baseUrl: env.LLM_BASE_URL ?? 'https://api.openai.com/v1',
      apiKey: env.LLM_API_KEY,
      model: env.LLM_MODEL,
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxRetries: env.LLM_MAX_RETRIES,
      maxCompletionTokens: env.LLM_MAX_COMPLETION_TOKENS,
      builtinLatencyMs: env.BUILTIN_LATENCY_MS,
      fallbacks: env.LLM_FALLBACKS,
      breakerThreshold: env.LLM_BREAKER_THRESHOLD,
      breakerCooldownMs: env.LLM_BREAKER_COOLDOWN_MS,
      maxAnswerBytes: env.LLM_MAX_ANSWER_BYTES,
      maxEventBytes: env.LLM_MAX_EVENT_BYTES,
    },
    responses: {
      contextMaxBytes: env.RESPONSES_CONTEXT_MAX_BYTES,
      storeMaxEntries: env.RESPONSES_STORE_MAX_ENTRIES,
      storeMaxBytes: env.RESPONSES_STORE_MAX_BYTES,
      storeTtlSeconds: env.RESPONSES_STORE_TTL_SECONDS,
    },
    conversations: {
      ttlSeconds: env.CONVERSATION_TTL_SECONDS,
      maxBytes: env.CONVERSATION_MAX_BYTES,
      totalMaxBytes: env.CONVERSATIONS_MAX_BYTES,
    },
    streamKeepAliveMs: env.STREAM_KEEPALIVE_MS,
    streamStallTimeoutMs: env.STREAM_STALL_TIMEOUT_MS,
    cache: {
      scope: env.CACHE_SCOPE,
      ttlSeconds: env.CACHE_TTL_SECONDS,
      maxEntries: env.CACHE_MAX_ENTRIES,
      maxBytes: env.CACHE_MAX_BYTES,
    },
    history: {
      storeText: env.HISTORY_STORE_TEXT,
      bufferMaxRecords: env.HISTORY_BUFFER_SIZE,
      bufferMaxBytes: env.HISTORY_BUFFER_MAX_BYTES,
      memoryMaxRecords: env.HISTORY_MEMORY_LIMIT,
      memoryMaxBytes: env.HISTORY_MEMORY_MAX_BYTES,
    },
  };
}
