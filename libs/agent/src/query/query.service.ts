import { HttpStatus, Inject, Injectable, Optional } from '@nestjs/common';
import { hash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Counter } from 'prom-client';
import { MetricsRegistry, ProblemException, SeriesCounter } from '@app/platform';
import {
  cacheKey,
  cacheScope,
  RESPONSE_CACHE,
  type CachedCompletion,
  type ResponseCache,
} from '../cache/response-cache.js';
import { DEFAULT_MAX_TOKENS } from './query-limits.js';
import { QueryConversations } from './query-conversations.js';
import { QUERY_HISTORY, type QueryHistory } from '../history/query-history.js';
import type { CacheStatus, QueryRecord } from '../history/query-record.js';
import {
  LLM_PROVIDER,
  type ChatMessage,
  type Completion,
  type FinishReason,
  type LlmProvider,
  type ToolCall,
} from '../providers/llm-provider.js';
import { ProviderError } from '../providers/provider-error.js';
import { wordChunks } from '../providers/text-chunks.js';

export interface QueryInput {
  /** The text to answer; with {@link messages}, their last user turn (what the history shows). */
  prompt: string;
  /** A whole conversation (OpenAI API); the cache key covers all of it. */
  messages?: ChatMessage[];
  maxTokens?: number;
  /** OpenAI parameters to forward as given (see CompletionRequest); all of them key the cache. */
  params?: Readonly<Record<string, unknown>>;
  /** false: the answer is neither read from nor written to the cache (e.g. one calling tools). */
  cacheable?: boolean;
  /** Id for the history record (generated when absent), so a stream can name it up front. */
  id?: string;
  /** Skip the cache read (the fresh answer is still cached). */
  bypassCache?: boolean;
  requestId?: string | null;
  /** The API client asking; null without keys. */
  clientId?: string | null;
  /** Aborted when the client goes away: the provider call is cancelled and recorded as such. */
  signal?: AbortSignal;
  /** A conversation of the client: asked with its earlier turns, and the turn added to it. */
  conversationId?: string;
  /**
   * The conversation the caller keeps this turn in itself (the Responses API's `conversation`):
   * only recorded in the history, to link the record to it.
   */
  recordedInConversation?: string;
}

/** The answer to a query; each API renders it in its own shape. */
export interface QueryResult {
  /** Id of the history record. */
  id: string;
  response: string;
  tokensUsed: number;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason;
  provider: string;
  model: string;
  /** The API client that asked; null without keys. */
  clientId: string | null;
  cache: CacheStatus;
  /** The function calls asked for (built-in provider). */
  toolCalls?: ToolCall[];
  /** The upstream's own choices, when it was asked with params. */
  choices?: unknown[];
  /** Where the answer's time went, for the `Server-Timing` header. */
  timings?: AnswerTimings;
}

/** Milliseconds spent in the cache lookup and in the provider (absent: not consulted). */
export interface AnswerTimings {
  cacheMs?: number;
  upstreamMs?: number;
}

/** HTTP has no status for it; 499 is what proxies log for a client that closed the request. */
const CLIENT_CLOSED_REQUEST = 499 as HttpStatus;

/** Agent settings the use-case needs. */
export interface QueryPolicy {
  cacheEnabled: boolean;
  /** Whether a cached answer may serve another API client than the one it was made for. */
  cacheShared: boolean;
  storeText: boolean;
}
export const QUERY_POLICY = Symbol('QUERY_POLICY');

/**
 * What a streamed query produces: its cache status first (known before any text), then text as
 * it comes, then the result (without `response`) once.
 */
export type QueryStreamEvent =
  | { cache: CacheStatus; timings?: AnswerTimings }
  | { text: string; chunk?: object }
  | { result: Omit<QueryResult, 'response' | 'timings'> };

type Answer = CachedCompletion & {
  provider: string;
  finishReason?: FinishReason;
  toolCalls?: ToolCall[];
  choices?: unknown[];
};

/** The query use-case: answer from the cache or the provider, then record it in the history. */
@Injectable()
export class QueryService {
  private readonly cacheRequests: Counter<'result'>;

  constructor(
    @Inject(LLM_PROVIDER) private readonly provider: LlmProvider,
    @Inject(RESPONSE_CACHE) private readonly cache: ResponseCache,
    @Inject(QUERY_HISTORY) private readonly history: QueryHistory,
    @Inject(QUERY_POLICY) private readonly policy: QueryPolicy,
    registry: MetricsRegistry,
    @Optional() private readonly conversations?: QueryConversations,
  ) {
    this.cacheRequests = new SeriesCounter({
      name: 'cache_requests_total',
      help: 'Response cache lookups by result (hit, miss, bypass).',
      labelNames: ['result'],
      registers: [registry],
    });
  }

  async query(asked: QueryInput): Promise<QueryResult> {
    const started = performance.now();
    const input = (await this.conversations?.withHistory(asked)) ?? asked;
    const { maxTokens, promptSha256, key, bypass } = this.prepare(input);
    const hit = await this.lookup(key, bypass);
    const timings: AnswerTimings = bypass ? {} : { cacheMs: performance.now() - started };
    let completion: Answer;
    if (hit) {
      completion = hit;
    } else {
      const asked = performance.now();
      try {
        completion = await this.provider.complete(this.request(input, maxTokens, promptSha256));
        timings.upstreamMs = performance.now() - asked;
      } catch (error) {
        if (!input.signal?.aborted) throw error;
        // Nobody will read an answer: record the cancellation (nothing was spent), then stop.
        this.recordCancelled(input, maxTokens, promptSha256, bypass, started);
        throw new ProblemException(CLIENT_CLOSED_REQUEST, 'Client closed the request');
      }
      this.store(key, completion, input);
    }
    const cache = hit ? 'HIT' : bypass ? 'BYPASS' : 'MISS';
    const latencyMs = performance.now() - started;
    const record = this.toRecord(input, maxTokens, promptSha256, completion, cache, latencyMs);
    this.history.record(record);
    await this.conversations?.remember(input, completion.text);
    return { ...resultOf(record, completion, cache), response: completion.text, timings };
  }

  /**
   * The same use-case, streamed: a cache hit is replayed word by word, a miss streams from the
   * provider chain. The answer is cached and recorded only once it is complete.
   */
  async *stream(asked: QueryInput): AsyncGenerator<QueryStreamEvent> {
    const started = performance.now();
    const input = (await this.conversations?.withHistory(asked)) ?? asked;
    const { maxTokens, promptSha256, key, bypass } = this.prepare(input);
    const hit = await this.lookup(key, bypass);
    const cache = hit ? 'HIT' : bypass ? 'BYPASS' : 'MISS';
    const timings: AnswerTimings = bypass ? {} : { cacheMs: performance.now() - started };
    // A stream stopped before its result (client gone, or one that read nothing for too long)
    // is recorded as cancelled; one that failed is not recorded, as a failed query is not.
    let outcome: 'pending' | 'failed' | 'recorded' = 'pending';
    try {
      yield { cache, timings };
      let completion: Answer | undefined = hit;
      if (hit) {
        for (const text of wordChunks(hit.text)) yield { text };
      } else {
        const request = this.request(input, maxTokens, promptSha256);
        for await (const part of this.provider.stream(request)) {
          if ('text' in part) yield part;
          else completion = part.completion;
        }
        if (completion) this.store(key, completion, input);
      }
      if (!completion) throw new ProviderError('interrupted', 'LLM provider stream ended early');
      const latencyMs = performance.now() - started;
      const record = this.toRecord(input, maxTokens, promptSha256, completion, cache, latencyMs);
      this.history.record(record);
      outcome = 'recorded';
      await this.conversations?.remember(input, completion.text);
      yield { result: resultOf(record, completion, cache) };
    } catch (error) {
      if (!input.signal?.aborted) outcome = 'failed';
      throw error;
    } finally {
      if (outcome === 'pending') {
        this.recordCancelled(input, maxTokens, promptSha256, bypass, started);
      }
    }
  }

  /** Records a query nobody will read the answer of (the tokens it used are not known). */
  private recordCancelled(
    input: QueryInput,
    maxTokens: number,
    promptSha256: string,
    bypass: boolean,
    started: number,
  ): void {
    const cancelled = {
      text: '',
      model: this.provider.model,
      provider: this.provider.name,
      promptTokens: 0,
      completionTokens: 0,
    };
    const latencyMs = performance.now() - started;
    const status = bypass ? 'BYPASS' : 'MISS';
    const record = this.toRecord(input, maxTokens, promptSha256, cancelled, status, latencyMs);
    this.history.record({ ...record, response: null, outcome: 'cancelled' });
  }

  private prepare(input: QueryInput) {
    const maxTokens = input.maxTokens ?? DEFAULT_MAX_TOKENS;
    // Hashed once: the cache key and the history record both use it.
    const promptSha256 = hash(
      'sha256',
      input.messages ? JSON.stringify(input.messages) : input.prompt,
      'hex',
    );
    const bypass =
      input.bypassCache === true || input.cacheable === false || !this.policy.cacheEnabled;
    const scope = cacheScope(this.policy.cacheShared, input.clientId);
    const variant = variantOf(input.params);
    const key = cacheKey(
      scope,
      this.provider.name,
      this.provider.model,
      maxTokens,
      promptSha256,
      variant,
    );
    return { maxTokens, promptSha256, key, bypass };
  }

  private async lookup(key: string, bypass: boolean): Promise<Answer | undefined> {
    const hit = bypass ? undefined : await this.cache.get(key);
    this.cacheRequests.inc({ result: hit ? 'hit' : bypass ? 'bypass' : 'miss' });
    // Only the primary provider's answers are cached (see store()).
    return hit && { ...hit, provider: this.provider.name };
  }

  private request(input: QueryInput, maxTokens: number, promptSha256: string) {
    return {
      prompt: input.prompt,
      messages: input.messages,
      maxTokens,
      params: input.params,
      signal: input.signal,
      origin: { clientId: input.clientId ?? null, promptSha256 },
    };
  }

  /**
   * Caches an answer without waiting for the write (caches never throw; a failed write is
   * forgotten). A fallback's answer is not cached: the primary should answer again once back.
   */
  private store(key: string, completion: Completion | Answer, input: QueryInput): void {
    if (!this.policy.cacheEnabled || completion.provider !== this.provider.name) return;
    // A cache entry keeps text only: answers with tool calls are not cached. A cacheable
    // request's upstream choices are one text answer, which a hit rebuilds from the text.
    if (input.cacheable === false || completion.toolCalls) return;
    const { text, model, promptTokens, completionTokens } = completion;
    void this.cache.set(key, { text, model, promptTokens, completionTokens });
  }

  private toRecord(
    input: QueryInput,
    maxTokens: number,
    promptSha256: string,
    completion: Answer,
    cacheStatus: CacheStatus,
    latencyMs: number,
  ): QueryRecord {
    const { storeText } = this.policy;
    return {
      id: input.id ?? randomUUID(),
      createdAt: new Date(),
      requestId: input.requestId ?? null,
      clientId: input.clientId ?? null,
      conversationId: input.conversationId ?? input.recordedInConversation ?? null,
      outcome: 'answered',
      provider: completion.provider,
      model: completion.model,
      prompt: storeText ? input.prompt : null,
      response: storeText ? completion.text : null,
      promptChars: input.prompt.length,
      responseChars: completion.text.length,
      promptSha256,
      maxTokens,
      promptTokens: completion.promptTokens,
      completionTokens: completion.completionTokens,
      tokensUsed: completion.promptTokens + completion.completionTokens,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      cacheStatus,
    };
  }
}

/**
 * The hash of the parameters besides the prompt that may change the answer (temperature, stop,
 * response_format...), which keys the cache with it. The token bound is in the key already; a
 * request that sends none is marked, since its upstream request differs from one that does.
 * Undefined when the request is exactly /query's (one prompt, a bound): they share entries.
 */
function variantOf(params: QueryInput['params']): string | undefined {
  if (!params) return undefined;
  const { max_tokens: a, max_completion_tokens: b, ...rest } = params;
  const bounded = a !== undefined || b !== undefined;
  if (bounded && Object.keys(rest).length === 0) return undefined;
  return hash('sha256', JSON.stringify(rest) + (bounded ? '' : '\u0000unbounded'), 'hex');
}

/** What a caller learns of an answered query (the text aside), from its history record. */
function resultOf(
  record: QueryRecord,
  completion: Answer,
  cache: CacheStatus,
): Omit<QueryResult, 'response' | 'timings'> {
  return {
    id: record.id,
    tokensUsed: record.tokensUsed,
    promptTokens: completion.promptTokens,
    completionTokens: completion.completionTokens,
    finishReason: completion.finishReason ?? 'stop',
    provider: completion.provider,
    model: completion.model,
    clientId: record.clientId,
    cache,
    ...(completion.toolCalls ? { toolCalls: completion.toolCalls } : {}),
    ...(completion.choices ? { choices: completion.choices } : {}),
  };
}
