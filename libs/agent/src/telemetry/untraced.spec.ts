import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { context, metrics, trace } from '@opentelemetry/api';
import { MetricsRegistry } from '@app/platform';
import { inSpan, tracingStarted } from '@app/platform/telemetry';
import { recordSpans } from '@app/platform/telemetry/testing';
import { InMemoryResponseCache } from '../cache/in-memory-response-cache.js';
import { InMemoryQueryHistory } from '../history/in-memory-query-history.js';
import type { QueryRecord } from '../history/query-record.js';
import { BuiltinProvider } from '../providers/builtin.provider.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import { GenAiMetrics } from './gen-ai-metrics.js';
import { NO_CAPTURE } from './message-capture.js';
import { TracedProvider } from './traced-provider.js';
import { traceQueryHistory } from './traced-query-history.js';
import { traceResponseCache } from './traced-response-cache.js';

const tokens = { count: (text: string) => Promise.resolve(text.length) } as TokenCounter;
const record = {
  id: '00000000-0000-4000-8000-000000000001',
  createdAt: new Date(),
  outcome: 'answered',
  requestId: null,
  provider: 'builtin',
  model: 'builtin-echo',
  prompt: 'p',
  response: 'r',
} as unknown as QueryRecord;

/** Every traced wrapper of a /query, once: what a request with tracing off goes through. */
async function serveOnce(registry = new MetricsRegistry()) {
  const cache = traceResponseCache(
    new InMemoryResponseCache({ maxEntries: 10, maxBytes: 1e6, ttlSeconds: 60 }),
    'memory',
  );
  const history = traceQueryHistory(
    new InMemoryQueryHistory({ maxRecords: 10, maxBytes: 1e6 }),
    'memory',
  );
  const provider = new TracedProvider(
    new BuiltinProvider(tokens, undefined, 0),
    'builtin',
    new GenAiMetrics(registry),
    NO_CAPTURE,
  );
  await cache.get('k');
  await provider.complete({ prompt: 'hello', maxTokens: 20 });
  for await (const part of provider.stream({ prompt: 'hello', maxTokens: 20 })) void part;
  history.record(record);
  await history.get(record.id);
  await history.list(5);
  await inSpan('work', {}, () => Promise.resolve(1));
  return registry;
}

describe('with tracing and metrics export off', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });
  const spies = () => [
    jest.spyOn(context, 'with'),
    jest.spyOn(context, 'active'),
    jest.spyOn(trace, 'getTracer'),
    jest.spyOn(trace, 'setSpan'),
    // Nor the meter: without OTEL_METRICS_EXPORTER=otlp only Prometheus records.
    jest.spyOn(metrics, 'getMeter'),
  ];

  it('the traced wrappers never touch the context API, and still count tokens', async () => {
    expect(tracingStarted()).toBe(false);
    const watched = spies();
    const registry = await serveOnce();
    for (const spy of watched) expect(spy).not.toHaveBeenCalled();
    expect(await registry.metrics()).toMatch(/gen_ai_client_token_usage_count\{[^}]*\} 2/);
  });

  // Last: installing the recorder turns tracing on for the rest of this file.
  it('(and with tracing on, the same wrappers do: the spies above can see it)', async () => {
    recordSpans();
    const [withSpy] = spies();
    await serveOnce();
    expect(withSpy).toHaveBeenCalled();
  });
});
