import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Counter } from 'prom-client';
import { MetricsRegistry, ProblemException } from '@app/platform';
import {
  cacheKey,
  RESPONSE_CACHE,
  type CachedCompletion,
  type ResponseCache,
} from '../cache/response-cache.js';
import { DEFAULT_MAX_TOKENS } from './query-limits.js';
import { QUERY_HISTORY, type QueryHistory } from '../history/query-history.js';
import type { CacheStatus, QueryRecord } from '../history/query-record.js';
import { LLM_PROVIDER, type LlmProvider } from '../providers/llm-provider.js';

export interface QueryInput {
  prompt: string;
  maxTokens?: number;
  /** Skip the cache read (the fresh answer is still cached). */
  bypassCache?: boolean;
  requestId?: string | null;
  /** The API client asking; null without keys. */
  clientId?: string | null;
  /** Aborted when the client goes away: the provider call is cancelled and recorded as such. */
  signal?: AbortSignal;
}

/** The answer to a query; each API renders it in its own shape. */
export interface QueryResult {
  /** Id of the history record. */
  id: string;
  response: string;
  tokensUsed: number;
  provider: string;
  model: string;
  /** The API client that asked; null without keys. */
  clientId: string | null;
  cache: CacheStatus;
}

/** HTTP has no status for it; 499 is what proxies log for a client that closed the request. */
const CLIENT_CLOSED_REQUEST = 499 as HttpStatus;

/** Agent settings the use-case needs. */
export interface QueryPolicy {
  cacheEnabled: boolean;
  storeText: boolean;
}
export const QUERY_POLICY = Symbol('QUERY_POLICY');

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
  ) {
    this.cacheRequests = new Counter({
      name: 'cache_requests_total',
      help: 'Response cache lookups by result (hit, miss, bypass).',
      labelNames: ['result'],
      registers: [registry],
    });
  }

  async query(input: QueryInput): Promise<QueryResult> {
    const started = performance.now();
    const maxTokens = input.maxTokens ?? DEFAULT_MAX_TOKENS;
    // Hashed once: the cache key and the history record both use it.
    const promptSha256 = createHash('sha256').update(input.prompt).digest('hex');
    let answer: { completion: CachedCompletion; cache: CacheStatus };
    try {
      answer = await this.answer(input, maxTokens, promptSha256);
    } catch (error) {
      if (!input.signal?.aborted) throw error;
      // Nobody will read an answer: record the cancellation (nothing was spent), then stop.
      const cancelled = {
        text: '',
        model: this.provider.model,
        promptTokens: 0,
        completionTokens: 0,
      };
      const cache = this.bypasses(input) ? 'BYPASS' : 'MISS';
      const latencyMs = performance.now() - started;
      const record = this.toRecord(input, maxTokens, promptSha256, cancelled, cache, latencyMs);
      this.history.record({ ...record, response: null, outcome: 'cancelled' });
      throw new ProblemException(CLIENT_CLOSED_REQUEST, 'Client closed the request');
    }
    const { completion, cache } = answer;
    const latencyMs = performance.now() - started;
    const record = this.toRecord(input, maxTokens, promptSha256, completion, cache, latencyMs);
    this.history.record(record);
    return {
      id: record.id,
      response: completion.text,
      tokensUsed: record.tokensUsed,
      provider: this.provider.name,
      model: completion.model,
      clientId: record.clientId,
      cache,
    };
  }

  private bypasses(input: QueryInput): boolean {
    return input.bypassCache === true || !this.policy.cacheEnabled;
  }

  private async answer(
    input: QueryInput,
    maxTokens: number,
    promptSha256: string,
  ): Promise<{ completion: CachedCompletion; cache: CacheStatus }> {
    const bypass = this.bypasses(input);
    const key = cacheKey(this.provider.name, this.provider.model, maxTokens, promptSha256);
    if (!bypass) {
      const hit = await this.cache.get(key);
      if (hit) {
        this.cacheRequests.inc({ result: 'hit' });
        return { completion: hit, cache: 'HIT' };
      }
    }
    this.cacheRequests.inc({ result: bypass ? 'bypass' : 'miss' });
    const fresh = await this.provider.complete({
      prompt: input.prompt,
      maxTokens,
      signal: input.signal,
    });
    const completion: CachedCompletion = {
      text: fresh.text,
      model: fresh.model,
      promptTokens: fresh.promptTokens,
      completionTokens: fresh.completionTokens,
    };
    if (this.policy.cacheEnabled) await this.cache.set(key, completion);
    return { completion, cache: bypass ? 'BYPASS' : 'MISS' };
  }

  private toRecord(
    input: QueryInput,
    maxTokens: number,
    promptSha256: string,
    completion: CachedCompletion,
    cacheStatus: CacheStatus,
    latencyMs: number,
  ): QueryRecord {
    const { storeText } = this.policy;
    return {
      id: randomUUID(),
      createdAt: new Date(),
      requestId: input.requestId ?? null,
      clientId: input.clientId ?? null,
      outcome: 'answered',
      provider: this.provider.name,
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
