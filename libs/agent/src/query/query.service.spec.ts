import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { MetricsRegistry } from '@app/platform';
import { cacheKey, type CachedCompletion, type ResponseCache } from '../cache/response-cache.js';
import type { HistoryPage, QueryHistory } from '../history/query-history.js';
import type { QueryRecord } from '../history/query-record.js';
import type {
  CompletionPart,
  CompletionRequest,
  FinishReason,
  LlmProvider,
} from '../providers/llm-provider.js';
import { QueryService, type QueryPolicy } from './query.service.js';

/** A provider that records what it was asked and answers with fixed token counts. */
class FakeProvider implements LlmProvider {
  readonly name = 'fake';
  readonly model = 'fake-model';
  readonly requests: CompletionRequest[] = [];
  /** Which provider of a chain answers (another one is a fallback). */
  answeredBy = 'fake';
  finishReason?: FinishReason;
  delayMs = 0;
  async complete(request: CompletionRequest) {
    this.requests.push(request);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return {
      text: `answer to ${request.prompt}`,
      model: 'fake-model-v2',
      provider: this.answeredBy,
      promptTokens: 3,
      completionTokens: 4,
      ...(this.finishReason && { finishReason: this.finishReason }),
    };
  }
  async *stream(request: CompletionRequest): AsyncGenerator<CompletionPart> {
    const completion = await this.complete(request);
    yield { text: 'answer to' };
    yield { text: ` ${request.prompt}` };
    yield { completion };
  }
}

class FakeCache implements ResponseCache {
  readonly entries = new Map<string, CachedCompletion>();
  reads = 0;
  get(key: string) {
    this.reads++;
    return Promise.resolve(this.entries.get(key));
  }
  set(key: string, value: CachedCompletion) {
    this.entries.set(key, value);
    return Promise.resolve();
  }
}

class FakeHistory implements QueryHistory {
  readonly records: QueryRecord[] = [];
  record(record: QueryRecord) {
    this.records.push(record);
  }
  get() {
    return Promise.resolve(undefined);
  }
  list(): Promise<HistoryPage> {
    return Promise.resolve({ items: [] });
  }
}

function make(policy: Partial<QueryPolicy> = {}) {
  const provider = new FakeProvider();
  const cache = new FakeCache();
  const history = new FakeHistory();
  const registry = new MetricsRegistry();
  const service = new QueryService(
    provider,
    cache,
    history,
    { cacheEnabled: true, cacheShared: false, storeText: true, ...policy },
    registry,
  );
  const cacheRequests = async () =>
    (await registry.getSingleMetricAsString('cache_requests_total'))
      .split('\n')
      .filter((line) => line.startsWith('cache_requests_total{'));
  return { service, provider, cache, history, cacheRequests };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('QueryService', () => {
  it('asks the provider for 100 tokens when the caller names no max_tokens, and records 100', async () => {
    const { service, provider, history } = make();
    await service.query({ prompt: 'hello' });
    expect(provider.requests.map((r) => r.maxTokens)).toEqual([100]);
    expect(history.records[0]?.maxTokens).toBe(100);
  });

  it('passes the caller max_tokens through to the provider and the record', async () => {
    const { service, provider, history } = make();
    await service.query({ prompt: 'hello', maxTokens: 37 });
    expect(provider.requests[0]).toMatchObject({ prompt: 'hello', maxTokens: 37 });
    expect(history.records[0]?.maxTokens).toBe(37);
  });

  it('answers with the provider text, the sum of its token counts and the model that answered', async () => {
    const { service } = make();
    const result = await service.query({ prompt: 'hello' });
    expect(result).toMatchObject({
      response: 'answer to hello',
      tokensUsed: 7,
      provider: 'fake',
      model: 'fake-model-v2',
      cache: 'MISS',
    });
    expect(result.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('records exactly one history entry per query, with the request id and measures', async () => {
    const { service, history } = make();
    const result = await service.query({ prompt: 'héllo', requestId: 'req-1' });
    expect(history.records).toHaveLength(1);
    const record = history.records[0];
    expect(record).toMatchObject({
      id: result.id,
      requestId: 'req-1',
      provider: 'fake',
      model: 'fake-model-v2',
      prompt: 'héllo',
      response: 'answer to héllo',
      promptChars: 5,
      responseChars: 15,
      promptSha256: sha256('héllo'),
      promptTokens: 3,
      completionTokens: 4,
      tokensUsed: 7,
      cacheStatus: 'MISS',
    });
    expect(record.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Math.abs(record.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('records a null request id when there is none', async () => {
    const { service, history } = make();
    await service.query({ prompt: 'hello' });
    expect(history.records[0]?.requestId).toBeNull();
  });

  it('keeps prompt and response out of the record when text is not stored', async () => {
    const { service, history } = make({ storeText: false });
    const result = await service.query({ prompt: 'secret' });
    expect(result.response).toBe('answer to secret');
    expect(history.records[0]).toMatchObject({
      prompt: null,
      response: null,
      promptChars: 6,
      responseChars: 16,
      promptSha256: sha256('secret'),
    });
  });

  it('answers a repeated query from the cache without calling the provider', async () => {
    const { service, provider, history, cacheRequests } = make();
    const first = await service.query({ prompt: 'hello' });
    const second = await service.query({ prompt: 'hello' });
    expect(provider.requests).toHaveLength(1);
    expect(second).toMatchObject({ response: first.response, tokensUsed: 7, cache: 'HIT' });
    expect(second.id).not.toBe(first.id);
    expect(history.records.map((r) => r.cacheStatus)).toEqual(['MISS', 'HIT']);
    expect(await cacheRequests()).toEqual([
      'cache_requests_total{result="miss"} 1',
      'cache_requests_total{result="hit"} 1',
    ]);
  });

  it('keys the cache by provider, model, max_tokens and prompt', async () => {
    const { service, provider, cache } = make();
    await service.query({ prompt: 'hello' });
    await service.query({ prompt: 'hello', maxTokens: 50 });
    await service.query({ prompt: 'hello!' });
    expect(provider.requests).toHaveLength(3);
    expect([...cache.entries.keys()]).toEqual([
      cacheKey('client:', 'fake', 'fake-model', 100, sha256('hello')),
      cacheKey('client:', 'fake', 'fake-model', 50, sha256('hello')),
      cacheKey('client:', 'fake', 'fake-model', 100, sha256('hello!')),
    ]);
  });

  it("keeps one client's cached answers from every other client", async () => {
    const { service, provider } = make();
    await service.query({ prompt: 'secret plan', clientId: 'alice' });
    const bob = await service.query({ prompt: 'secret plan', clientId: 'bob' });
    const alice = await service.query({ prompt: 'secret plan', clientId: 'alice' });
    expect([bob.cache, alice.cache]).toEqual(['MISS', 'HIT']);
    expect(provider.requests).toHaveLength(2);
  });

  it('shares cached answers between clients when the operator says so', async () => {
    const { service, provider } = make({ cacheShared: true });
    await service.query({ prompt: 'common question', clientId: 'alice' });
    const bob = await service.query({ prompt: 'common question', clientId: 'bob' });
    expect(bob.cache).toBe('HIT');
    expect(provider.requests).toHaveLength(1);
  });

  it('skips the cache read on request but caches the fresh answer', async () => {
    const { service, provider, cache, cacheRequests } = make();
    await service.query({ prompt: 'hello' });
    const bypassed = await service.query({ prompt: 'hello', bypassCache: true });
    expect(bypassed.cache).toBe('BYPASS');
    expect(provider.requests).toHaveLength(2);
    expect(cache.reads).toBe(1);
    expect(cache.entries.size).toBe(1);
    expect(await cacheRequests()).toContain('cache_requests_total{result="bypass"} 1');
  });

  it('neither reads nor writes the cache when caching is off', async () => {
    const { service, provider, cache } = make({ cacheEnabled: false });
    const first = await service.query({ prompt: 'hello' });
    await service.query({ prompt: 'hello' });
    expect(first.cache).toBe('BYPASS');
    expect(provider.requests).toHaveLength(2);
    expect(cache.reads).toBe(0);
    expect(cache.entries.size).toBe(0);
  });

  it('hands the caller abort signal to the provider', async () => {
    const { service, provider } = make();
    const controller = new AbortController();
    await service.query({ prompt: 'hello', signal: controller.signal });
    expect(provider.requests[0]?.signal).toBe(controller.signal);
  });

  it('records the client and, when the caller aborts, a cancelled query that used no tokens', async () => {
    const { service, provider, history } = make();
    const answered = await service.query({ prompt: 'mine', clientId: 'acme' });
    expect(answered.clientId).toBe('acme');
    expect(history.records[0]).toMatchObject({ clientId: 'acme', outcome: 'answered' });

    const controller = new AbortController();
    // Like fetch: rejects once the signal is aborted, even if it already was.
    provider.complete = (request) =>
      new Promise((_resolve, reject) => {
        if (request.signal?.aborted) reject(new Error('aborted'));
        request.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const t0 = performance.now();
    const call = service.query({ prompt: 'gone', clientId: 'acme', signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ status: 499, detail: 'Client closed the request' });
    const elapsed = performance.now() - t0;
    expect(history.records[1]).toMatchObject({
      clientId: 'acme',
      outcome: 'cancelled',
      prompt: 'gone',
      response: null,
      responseChars: 0,
      tokensUsed: 0,
      cacheStatus: 'MISS',
    });
    expect(history.records[1].latencyMs).toBeGreaterThanOrEqual(0);
    expect(history.records[1].latencyMs).toBeLessThanOrEqual(elapsed);
  });

  it('records the time the query took, in milliseconds to the microsecond', async () => {
    const { service, provider, history } = make();
    provider.delayMs = 30;
    const t0 = performance.now();
    await service.query({ prompt: 'slow' });
    const elapsed = performance.now() - t0;
    const { latencyMs } = history.records[0];
    expect(latencyMs).toBeGreaterThanOrEqual(25);
    expect(latencyMs).toBeLessThanOrEqual(elapsed);
    expect(Math.round(latencyMs * 1000) / 1000).toBe(latencyMs);
  });

  it("reports the provider's finish reason, and 'stop' when it names none", async () => {
    const { service, provider } = make();
    expect((await service.query({ prompt: 'a' })).finishReason).toBe('stop');
    provider.finishReason = 'length';
    expect((await service.query({ prompt: 'b' })).finishReason).toBe('length');
  });

  it('passes provider errors through unchanged when the caller is still there', async () => {
    const { service, provider, history } = make();
    provider.complete = () => Promise.reject(new Error('upstream down'));
    await expect(
      service.query({ prompt: 'x', signal: new AbortController().signal }),
    ).rejects.toThrow('upstream down');
    expect(history.records).toHaveLength(0);
  });
});

describe('QueryService streaming', () => {
  async function events(service: QueryService, prompt: string) {
    const out: unknown[] = [];
    for await (const event of service.stream({ prompt })) out.push(event);
    return out;
  }

  it('yields the cache status, the text as produced, then the result, and records it once', async () => {
    const { service, history } = make();
    const out = await events(service, 'hello');
    expect(out).toEqual([
      { cache: 'MISS', timings: { cacheMs: expect.any(Number) } },
      { text: 'answer to' },
      { text: ' hello' },
      {
        result: expect.objectContaining({
          tokensUsed: 7,
          provider: 'fake',
          model: 'fake-model-v2',
          cache: 'MISS',
        }) as unknown,
      },
    ]);
    expect(history.records).toHaveLength(1);
    expect(history.records[0].response).toBe('answer to hello');
  });

  it('replays a cached answer word by word without calling the provider', async () => {
    const { service, provider } = make();
    await service.query({ prompt: 'hello there' });
    const out = await events(service, 'hello there');
    expect(out.slice(0, 4)).toEqual([
      { cache: 'HIT', timings: { cacheMs: expect.any(Number) } },
      { text: 'answer' },
      { text: ' to' },
      { text: ' hello' },
    ]);
    expect(provider.requests).toHaveLength(1);
  });

  it('caches a streamed answer once it is complete: the next query is a hit', async () => {
    const { service, provider } = make();
    await events(service, 'hello');
    expect((await service.query({ prompt: 'hello' })).cache).toBe('HIT');
    expect(provider.requests).toHaveLength(1);
  });

  it('fails a stream that ends without its completion as interrupted, caching and recording nothing', async () => {
    const { service, provider, cache, history } = make();
    provider.stream = async function* () {
      await Promise.resolve();
      yield { text: 'partial' };
    };
    await expect(events(service, 'hello')).rejects.toMatchObject({
      kind: 'interrupted',
      detail: 'LLM provider stream ended early',
    });
    expect(cache.entries.size).toBe(0);
    expect(history.records).toHaveLength(0);
  });

  it('records a stream its consumer stopped before the result as cancelled, caching nothing', async () => {
    const { service, cache, history } = make();
    const stream = service.stream({ prompt: 'hello world', clientId: 'acme' });
    expect((await stream.next()).value).toEqual({
      cache: 'MISS',
      timings: { cacheMs: expect.any(Number) },
    });
    expect((await stream.next()).value).toMatchObject({ text: expect.any(String) });
    await stream.return(undefined);
    expect(cache.entries.size).toBe(0);
    expect(history.records).toHaveLength(1);
    expect(history.records[0]).toMatchObject({
      outcome: 'cancelled',
      clientId: 'acme',
      response: null,
      tokensUsed: 0,
    });
  });

  it('does not cache an answer that came from a fallback provider', async () => {
    const { service, provider, cache } = make();
    provider.answeredBy = 'builtin';
    const result = await service.query({ prompt: 'hello' });
    expect(result.provider).toBe('builtin');
    expect(cache.entries.size).toBe(0);
  });
});
