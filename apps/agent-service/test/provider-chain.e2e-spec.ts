import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ServiceProcess } from './support/service-process.js';
import { parseSse } from './support/sse.js';
import { waitFor } from './support/wait.js';

interface Ready {
  ready: boolean;
  details: Record<string, { status: string; circuit?: string; error?: string }>;
}

/**
 * A chain of two services: B speaks to A's OpenAI-compatible API as its provider, with the
 * built-in provider as its fallback. Stopping A makes B fall back and open A's circuit;
 * starting A again closes it after the cool-down.
 */
describe('provider chain: service B → service A /v1 (process)', () => {
  let a: ServiceProcess;
  let b: ServiceProcess;
  const startA = async (port?: number) => {
    a = await ServiceProcess.start({ LOG_LEVEL: 'warn', BUILTIN_LATENCY_MS: '100' }, port);
    await a.waitUntilLive();
    // Its first answer loads the tokenizer: on a busy machine that alone can take seconds.
    await (await a.query({ prompt: 'warm up' })).arrayBuffer();
  };

  beforeAll(async () => {
    await startA();
    b = await ServiceProcess.start({
      LOG_LEVEL: 'warn',
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${a.url}/v1`,
      LLM_MODEL: 'builtin-echo',
      LLM_FALLBACKS: 'builtin',
      LLM_MAX_RETRIES: '0',
      LLM_TIMEOUT_MS: '5000',
      LLM_BREAKER_THRESHOLD: '2',
      LLM_BREAKER_COOLDOWN_MS: '1500',
      // Every answer fresh, so each query reaches the providers.
      CACHE_TTL_SECONDS: '0',
    });
    await b.waitUntilLive();
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  const ask = async (prompt: string) => {
    const response = await b.query({ prompt });
    expect(response.status).toBe(200);
    return (await response.json()) as { response: string; provider: string; model: string };
  };
  const askStreaming = async (prompt: string) => {
    const response = await b.query({ prompt, stream: true });
    expect(response.status).toBe(200);
    const events = parseSse(await response.text());
    const text = events
      .filter((e) => e.event === 'chunk')
      .map((e) => (JSON.parse(e.data) as { text: string }).text)
      .join('');
    const done = JSON.parse(events.at(-1)!.data) as { provider: string };
    expect(events.at(-1)!.event).toBe('done');
    return { text, provider: done.provider, chunks: events.length - 1 };
  };
  const ready = async () => (await (await fetch(`${b.url}/ready`)).json()) as Ready;
  const metrics = async () => (await fetch(`${b.url}/metrics`)).text();

  it('answers through A, streaming and not', async () => {
    await expect(ask('hello chain')).resolves.toEqual(
      expect.objectContaining({
        response: 'Processed: hello chain',
        provider: 'openai',
        model: 'builtin-echo',
      }),
    );
    const streamed = await askStreaming('hello streaming chain');
    expect(streamed).toMatchObject({
      text: 'Processed: hello streaming chain',
      provider: 'openai',
    });
    // A streamed word by word and B relayed each piece as it came.
    expect(streamed.chunks).toBeGreaterThanOrEqual(4);
    const state = await ready();
    expect(state.details['llm:openai']).toMatchObject({ status: 'up', circuit: 'closed' });
    expect(state.details['llm:builtin']).toMatchObject({ status: 'up', circuit: 'closed' });
  });

  it('falls back to the built-in provider when A stops, and opens A’s circuit', async () => {
    const port = a.port;
    await a.stop();
    await expect(ask('during outage')).resolves.toMatchObject({
      response: 'Processed: during outage',
      provider: 'builtin',
    });
    await expect(askStreaming('streamed during outage')).resolves.toMatchObject({
      text: 'Processed: streamed during outage',
      provider: 'builtin',
    });
    // Two consecutive failures: the circuit is open, B stays ready (degraded), A is skipped.
    const state = await ready();
    expect(state.ready).toBe(true);
    expect(state.details['llm:openai']).toMatchObject({
      status: 'down',
      circuit: 'open',
      error: 'circuit_open',
    });
    await expect(ask('while open')).resolves.toMatchObject({ provider: 'builtin' });
    const text = await metrics();
    expect(text).toContain('gen_ai_provider_circuit_state{provider="openai",state="open"} 1');
    expect(text).toMatch(
      /gen_ai_client_failures_total\{provider="openai",[^}]*error_type="unavailable"\} 2/,
    );
    expect(text).toMatch(
      /gen_ai_client_failures_total\{provider="openai",[^}]*error_type="circuit_open"\} 1/,
    );
    expect(text).toContain('gen_ai_provider_fallbacks_total{provider="openai"} 3');

    // A comes back where B expects it; after the cool-down one probe closes the circuit.
    await startA(port);
    await waitFor(
      'B to answer through A again',
      async () => (await ask('after recovery')).provider === 'openai',
      10_000,
    );
    expect((await ready()).details['llm:openai']).toMatchObject({
      status: 'up',
      circuit: 'closed',
    });
    expect(await metrics()).toContain(
      'gen_ai_provider_circuit_state{provider="openai",state="closed"} 1',
    );
  });
});
