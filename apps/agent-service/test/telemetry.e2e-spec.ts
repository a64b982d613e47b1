import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeLlmUpstream } from './support/fake-llm-upstream.js';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { ServiceProcess } from './support/service-process.js';
import { childrenOf, everyAttributeValue, isDescendant, only } from './support/span-tree.js';
import { parseSse } from './support/sse.js';
import { waitFor } from './support/wait.js';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const API_KEY = 'sk-upstream-secret-never-in-spans';

/**
 * The built service traced for real: its OTLP/HTTP exporter sends JSON to a receiver in the
 * test, and its LLM upstreams are stand-ins that record the `traceparent` they receive. The
 * first upstream always answers 503 (one retry, then the fallback answers), so every answer
 * shows a failed attempt, its failed retry and the fallback's attempt as three `chat` spans.
 */
describe('tracing (process → OTLP/HTTP receiver)', () => {
  let receiver: OtlpReceiver;
  let primary: FakeLlmUpstream;
  let fallback: FakeLlmUpstream;
  let service: ServiceProcess;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    primary = await FakeLlmUpstream.start({ failWith: 503 });
    fallback = await FakeLlmUpstream.start({ model: 'fallback-model-2026' });
    service = await ServiceProcess.start({
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      // Were metrics exported by default, they would arrive within the suite.
      OTEL_METRIC_EXPORT_INTERVAL: '200',
      OTEL_SERVICE_NAME: 'agent-under-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: primary.url,
      LLM_API_KEY: API_KEY,
      LLM_MODEL: 'primary-model',
      LLM_FALLBACKS: `${fallback.url}#fallback-model`,
      LLM_MAX_RETRIES: '1',
      LLM_BREAKER_THRESHOLD: '100',
    });
    await service.waitUntilLive(20_000);
  });
  afterAll(async () => {
    await service?.stop();
    await Promise.all([receiver?.stop(), primary?.stop(), fallback?.stop()]);
  });

  const traceparent = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;
  const received = async (traceId: string, last: string) => {
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId && s.name === last));
    // The rest of the trace was exported in the same or an earlier batch.
    return receiver.trace(traceId);
  };

  /** The two attempts at the failing primary and the fallback's answer, as the spans show them. */
  function expectAttempts(
    spans: ReceivedSpan[],
    server: ReceivedSpan,
    upstreamCallsBefore: { primary: number; fallback: number },
  ) {
    const chats = spans
      .filter((s) => s.name.startsWith('chat '))
      .sort((a, b) => (a.start < b.start ? -1 : 1));
    expect(chats.map((s) => [s.name, s.attributes['ai_agent.provider.attempt']])).toEqual([
      ['chat primary-model', 1],
      ['chat primary-model', 2],
      ['chat fallback-model', 1],
    ]);
    const [first, retry, answered] = chats;
    // Every attempt hangs from the same parent: a retry is a sibling, not a child.
    expect(new Set(chats.map((s) => s.parentSpanId)).size).toBe(1);
    for (const chat of chats) {
      expect(chat.kind).toBe(CLIENT);
      expect(isDescendant(spans, chat, server)).toBe(true);
      expect(chat.attributes['gen_ai.operation.name']).toBe('chat');
      expect(chat.attributes['gen_ai.provider.name']).toBe('openai');
    }
    for (const failed of [first, retry]) {
      expect(failed.attributes).toMatchObject({
        'gen_ai.request.model': 'primary-model',
        'ai_agent.provider.id': 'openai',
        'error.type': 'server_error',
      });
      expect(failed.status.code).toBe(ERROR);
      expect(failed.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    }
    expect(answered.attributes).toMatchObject({
      'gen_ai.request.model': 'fallback-model',
      'gen_ai.response.model': 'fallback-model-2026',
      'ai_agent.provider.id': 'openai-2',
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(answered.attributes['error.type']).toBeUndefined();
    // Each attempt's HTTP call is the one child of its chat span, and carried that call's span
    // as the parent in the traceparent the upstream received.
    const calls = chats.map((chat) => childrenOf(spans, chat));
    expect(
      calls.map((c) => c.map((s) => [s.kind, s.attributes['http.response.status_code']])),
    ).toEqual([[[CLIENT, 503]], [[CLIENT, 503]], [[CLIENT, 200]]]);
    const sent = (list: ReceivedSpan[]) => list.map((s) => `00-${s.traceId}-${s.spanId}-01`);
    expect(primary.traceparents.slice(upstreamCallsBefore.primary)).toEqual(
      sent([...calls[0], ...calls[1]]),
    );
    expect(fallback.traceparents.slice(upstreamCallsBefore.fallback)).toEqual(sent(calls[2]));
  }

  it('traces a /query from the client’s traceparent to the upstream’s, as one tree', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const before = { primary: primary.traceparents.length, fallback: fallback.traceparents.length };
    const prompt = 'a confidential prompt for the query trace';
    const response = await service.query({ prompt }, { traceparent: traceparent(traceId) });
    expect(response.status).toBe(200);
    const spans = await received(traceId, 'POST /query');

    const server = only(spans, 'POST /query');
    expect(server.kind).toBe(SERVER);
    expect(server.parentSpanId).toBe('00f067aa0ba902b7');
    expect(server.attributes['http.route']).toBe('/query');
    expect(server.resource).toMatchObject({
      'service.name': 'agent-under-test',
      'deployment.environment.name': 'e2e',
    });
    // The answer names the server span, for clients that correlate.
    expect(response.headers.get('traceparent')).toBe(`00-${traceId}-${server.spanId}-01`);

    const access = only(spans, 'access');
    expect(isDescendant(spans, access, server)).toBe(true);
    expect(access.attributes).toEqual({
      'access.outcome': 'admitted',
      'access.client_id': 'anonymous',
    });
    const cache = only(spans, 'cache.lookup');
    expect(isDescendant(spans, cache, server)).toBe(true);
    expect(cache.attributes).toMatchObject({ 'cache.hit': false, 'cache.backend': 'memory' });
    const history = only(spans, 'history.record');
    expect(isDescendant(spans, history, server)).toBe(true);
    expect(spans.some((s) => s.scope === '@opentelemetry/instrumentation-nestjs-core')).toBe(true);
    expectAttempts(spans, server, before);

    // Neither the prompt, the answer nor the upstream key is in any span (capture is off).
    const text = everyAttributeValue(spans);
    expect(text).not.toContain(prompt);
    expect(text).not.toContain('Hello there');
    expect(text).not.toContain(API_KEY);

    // The request's log line carries the trace id (it is written asynchronously: wait for it).
    const requestLine = () =>
      service.logs().find((l) => l.msg === 'request completed' && l.traceId === traceId);
    await waitFor('the request log line', () => requestLine() !== undefined);
    expect(requestLine()).toMatchObject({ route: '/query', spanId: server.spanId });
  });

  it('traces a streamed /v1/chat/completions that falls back, attempt by attempt', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const before = { primary: primary.traceparents.length, fallback: fallback.traceparents.length };
    const response = await service.query(
      {
        model: 'primary-model',
        messages: [{ role: 'user', content: 'stream me an answer' }],
        stream: true,
      },
      { traceparent: traceparent(traceId), tracestate: 'vendor=opaque' },
      '/v1/chat/completions',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('tracestate')).toBe('vendor=opaque');
    const events = parseSse(await response.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    const spans = await received(traceId, 'POST /v1/chat/completions');
    const server = only(spans, 'POST /v1/chat/completions');
    expect(server.parentSpanId).toBe('00f067aa0ba902b7');
    expectAttempts(spans, server, before);
  });

  it('puts the trace id in problem documents and names unmatched routes without their path', async () => {
    const traceId = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
    const bad = await fetch(`${service.url}/queries?limit=oops`, {
      headers: { traceparent: traceparent(traceId) },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { trace_id?: string }).trace_id).toBe(traceId);

    const unknownTrace = '11111111111111111111111111111111';
    const unknown = await fetch(`${service.url}/secret-path/12345?token=abc`, {
      headers: { traceparent: traceparent(unknownTrace) },
    });
    expect(unknown.status).toBe(404);
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === unknownTrace && s.kind === SERVER),
    );
    const server = receiver.trace(unknownTrace).find((s) => s.kind === SERVER)!;
    expect(server.name).toBe('GET');
    // The query string is the client's: no span keeps it.
    const attributeValues = receiver
      .trace(unknownTrace)
      .flatMap((s) => Object.values(s.attributes).map(String));
    expect(attributeValues.length).toBeGreaterThan(0);
    expect(attributeValues.filter((v) => v.includes('token=abc'))).toEqual([]);
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.kind === SERVER),
    );
    expect(receiver.trace(traceId).find((s) => s.kind === SERVER)?.name).toBe('GET /queries');
  });

  it('leaves probes untraced', async () => {
    const traceId = '22222222222222222222222222222222';
    expect(
      (await fetch(`${service.url}/health`, { headers: { traceparent: traceparent(traceId) } }))
        .status,
    ).toBe(200);
    const marker = '33333333333333333333333333333333';
    await fetch(`${service.url}/queries?limit=oops`, {
      headers: { traceparent: traceparent(marker) },
    });
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === marker && s.kind === SERVER));
    expect(receiver.trace(traceId)).toEqual([]);
  });

  it('exports no metrics over OTLP unless OTEL_METRICS_EXPORTER asks (Prometheus has them)', () => {
    expect(receiver.spans.length).toBeGreaterThan(0);
    expect(receiver.points).toEqual([]);
  });
});
