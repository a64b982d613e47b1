import { beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { MetricsRegistry } from '@app/platform';
import { serviceTracer } from '@app/platform/telemetry';
import { recordSpans } from '@app/platform/telemetry/testing';
import type {
  Completion,
  CompletionPart,
  CompletionRequest,
  LlmProvider,
} from '../providers/llm-provider.js';
import { ProviderError } from '../providers/provider-error.js';
import { RetryingProvider } from '../providers/retrying-provider.js';
import { GenAiMetrics } from './gen-ai-metrics.js';
import { NO_CAPTURE } from './message-capture.js';
import { TracedProvider } from './traced-provider.js';

const recorder = recordSpans();
const PROMPT = 'the secret prompt';
const ANSWER = 'the secret answer';

/** A provider that makes a span of its own per call, as the fetch instrumentation does. */
class FakeProvider implements LlmProvider {
  readonly name = 'openai-2';
  readonly model = 'gpt-test';
  fail?: Error;
  /** How many calls fail (with `fail`) before the rest answer; all of them when unset. */
  failures = Infinity;

  complete(): Promise<Completion> {
    const failure = this.failure();
    return this.upstream(() =>
      failure ? Promise.reject(failure) : Promise.resolve(this.answer()),
    );
  }

  async *stream(): AsyncGenerator<CompletionPart> {
    await this.upstream(() => Promise.resolve());
    const failure = this.failure();
    if (failure) throw failure;
    yield { text: ANSWER };
    yield { completion: this.answer() };
  }

  private failure(): Error | undefined {
    return this.failures-- > 0 ? this.fail : undefined;
  }

  private upstream<T>(work: () => Promise<T>): Promise<T> {
    return serviceTracer().startActiveSpan('POST', async (span) => {
      try {
        return await work();
      } finally {
        span.end();
      }
    });
  }

  private answer(): Completion {
    return {
      text: ANSWER,
      model: 'gpt-test-2026',
      provider: this.name,
      promptTokens: 12,
      completionTokens: 4,
      finishReason: 'length',
    };
  }
}

const request: CompletionRequest = { prompt: PROMPT, maxTokens: 50 };

describe('TracedProvider', () => {
  let inner: FakeProvider;
  let registry: MetricsRegistry;
  let metrics: GenAiMetrics;
  const traced = (capture = NO_CAPTURE) => new TracedProvider(inner, 'openai', metrics, capture);

  beforeEach(() => {
    recorder.reset();
    inner = new FakeProvider();
    registry = new MetricsRegistry();
    metrics = new GenAiMetrics(registry);
  });

  const chatSpan = () => recorder.spans().find((s) => s.name === 'chat gpt-test')!;

  it('records an answer as a CLIENT span with the GenAI attributes, and its token usage', async () => {
    const provider = traced();
    expect([provider.name, provider.model]).toEqual(['openai-2', 'gpt-test']);
    await provider.complete(request);
    const span = chatSpan();
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.request.max_tokens': 50,
      'ai_agent.provider.id': 'openai-2',
      'ai_agent.provider.attempt': 1,
      'gen_ai.response.model': 'gpt-test-2026',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.response.finish_reasons': ['length'],
    });
    // The upstream call is a child of the chat span.
    const post = recorder.spans().find((s) => s.name === 'POST')!;
    expect(post.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    const text = await registry.metrics();
    expect(text).toContain(
      'gen_ai_client_token_usage_sum{provider="openai-2",gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-test",gen_ai_response_model="gpt-test-2026",gen_ai_token_type="input"} 12',
    );
    expect(text).toMatch(/gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="output"\} 4/);
  });

  it('marks a failed attempt with the failure kind as error.type', async () => {
    inner.fail = new ProviderError('server_error', 'LLM provider answered with status 503');
    await expect(traced().complete(request)).rejects.toBe(inner.fail);
    const span = chatSpan();
    expect(span.attributes['error.type']).toBe('server_error');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('calls an abort `cancelled` and anything else by its class', async () => {
    const controller = new AbortController();
    controller.abort();
    inner.fail = new Error('aborted');
    await expect(traced().complete({ ...request, signal: controller.signal })).rejects.toThrow();
    expect(chatSpan().attributes['error.type']).toBe('cancelled');
    recorder.reset();
    inner.fail = new TypeError('bad');
    await expect(traced().complete(request)).rejects.toThrow();
    expect(chatSpan().attributes['error.type']).toBe('TypeError');
  });

  it('keeps a stream’s span open until its completion, with the upstream call as its child', async () => {
    const parts: CompletionPart[] = [];
    for await (const part of traced().stream(request)) parts.push(part);
    expect(parts).toHaveLength(2);
    const span = chatSpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(4);
    const post = recorder.spans().find((s) => s.name === 'POST')!;
    expect(post.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
  });

  it('records a stream that fails before its first part', async () => {
    inner.fail = new ProviderError('timeout', 'LLM provider did not answer in time');
    const iterator = traced().stream(request)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toBe(inner.fail);
    expect(chatSpan().attributes['error.type']).toBe('timeout');
  });

  it('puts no prompt or answer in the span unless capture is on, then bounded', async () => {
    await traced().complete(request);
    expect(JSON.stringify(chatSpan().attributes)).not.toContain('secret');
    recorder.reset();
    await traced({ enabled: true, maxBytes: 80 }).complete({ ...request, prompt: 'x'.repeat(500) });
    const attributes = chatSpan().attributes;
    const input = attributes['gen_ai.input.messages'] as string;
    const output = attributes['gen_ai.output.messages'] as string;
    expect(input.startsWith('[{"role":"user","parts":[{"type":"text","content":"xxx')).toBe(true);
    expect(output.startsWith('[{"role":"assistant"')).toBe(true);
    expect(Buffer.byteLength(input)).toBeLessThanOrEqual(80);
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(80);
  });

  it.each(['complete', 'stream'] as const)(
    'makes each retried attempt (%s) a chat span of its own, the failed one with error.type',
    async (call) => {
      inner.fail = new ProviderError('server_error', 'LLM provider answered with status 503');
      inner.failures = 1;
      const provider = new RetryingProvider(traced(), 2);
      await serviceTracer().startActiveSpan('request', async (parent) => {
        if (call === 'complete') await provider.complete(request);
        else for await (const part of provider.stream(request)) void part;
        parent.end();
      });
      const parent = recorder.spans().find((s) => s.name === 'request')!;
      const chats = recorder.spans().filter((s) => s.name === 'chat gpt-test');
      expect(chats.map((s) => s.attributes['ai_agent.provider.attempt'])).toEqual([1, 2]);
      const [failed, answered] = chats;
      expect(failed.attributes['error.type']).toBe('server_error');
      expect(failed.status.code).toBe(SpanStatusCode.ERROR);
      expect(answered.attributes['error.type']).toBeUndefined();
      expect(answered.attributes['gen_ai.usage.output_tokens']).toBe(4);
      for (const chat of chats) {
        expect(chat.kind).toBe(SpanKind.CLIENT);
        expect(chat.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      }
      // Each attempt's upstream call is a child of its own chat span.
      const posts = recorder.spans().filter((s) => s.name === 'POST');
      expect(posts.map((s) => s.parentSpanContext?.spanId)).toEqual(
        chats.map((s) => s.spanContext().spanId),
      );
    },
  );
});
