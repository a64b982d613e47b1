import { describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from '@app/platform';
import type { ProviderChain } from './provider-chain.js';
import { isAbort, ProviderError, type ProviderFailureKind } from './provider-error.js';
import { ProviderMetrics } from './provider-metrics.js';
import { providerReadiness } from './provider-readiness.js';

describe('ProviderError', () => {
  it.each<[ProviderFailureKind, number, boolean, boolean]>([
    // kind, HTTP status, retried at the same provider, next provider tried
    ['timeout', 504, false, true],
    ['unavailable', 502, true, true],
    ['rate_limited', 502, true, true],
    ['server_error', 502, true, true],
    ['rejected', 502, false, false],
    ['invalid_response', 502, false, false],
    ['interrupted', 502, false, true],
    ['circuit_open', 503, false, true],
  ])('%s answers %i, retryable %s, falls back %s', (kind, status, retryable, fallsBack) => {
    const error = new ProviderError(kind, 'the provider failed', 1500);
    expect(error.getStatus()).toBe(status);
    expect(error.retryable).toBe(retryable);
    expect(error.fallsBack).toBe(fallsBack);
    expect(error.kind).toBe(kind);
    expect(error.retryAfterMs).toBe(1500);
  });
});

describe('isAbort', () => {
  const named = (name: string) => Object.assign(new Error('x'), { name });

  it('is true when the caller aborted, whatever the error', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbort(new Error('socket hang up'), controller.signal)).toBe(true);
  });

  it("recognises an abort error, and an aborted signal's reason", () => {
    expect(isAbort(named('AbortError'))).toBe(true);
    const controller = new AbortController();
    controller.abort();
    expect(isAbort(controller.signal.reason, new AbortController().signal)).toBe(true);
  });

  it('is false for any other failure, or a non-error with an abort-like name', () => {
    expect(isAbort(new Error('boom'), new AbortController().signal)).toBe(false);
    expect(isAbort(named('TimeoutError'))).toBe(false);
    expect(isAbort({ name: 'AbortError' })).toBe(false);
    expect(isAbort(undefined)).toBe(false);
  });
});

describe('providerReadiness', () => {
  const chain = (circuits: string[]) =>
    ({
      members: circuits.map((circuit, i) => ({
        name: `p${i}`,
        circuit,
        provider: { model: `m${i}` },
      })),
    }) as unknown as ProviderChain;

  it('reports each provider as an optional llm:<id> check, up unless its circuit is open', async () => {
    const [closed, open, halfOpen] = providerReadiness(chain(['closed', 'open', 'half_open']));
    expect([closed.name, open.name, halfOpen.name]).toEqual(['llm:p0', 'llm:p1', 'llm:p2']);
    expect([closed.required, open.required, halfOpen.required]).toEqual([false, false, false]);
    const signal = new AbortController().signal;
    await expect(closed.ping(signal)).resolves.toBeUndefined();
    await expect(halfOpen.ping(signal)).resolves.toBeUndefined();
    await expect(open.ping(signal)).rejects.toThrow('circuit open');
    expect(closed.describe?.()).toEqual({ circuit: 'closed', model: 'm0' });
    expect(halfOpen.describe?.()).toEqual({ circuit: 'half_open', model: 'm2' });
    expect(open.describe?.()).toEqual({ circuit: 'open', model: 'm1', error: 'circuit_open' });
  });
});

describe('ProviderMetrics', () => {
  const labels = {
    provider: 'openai-2',
    gen_ai_provider_name: 'openai',
    gen_ai_request_model: 'gpt',
  };
  const base = 'provider="openai-2",gen_ai_provider_name="openai",gen_ai_request_model="gpt"';

  it('counts calls, tokens by type, failures by kind, durations, fallbacks and circuit states', async () => {
    const registry = new MetricsRegistry();
    const metrics = new ProviderMetrics(registry);
    metrics.started(labels);
    metrics.started(labels);
    metrics.succeeded(labels, 0.2, 11, 7);
    metrics.failed(labels, 3, 'timeout');
    metrics.fellBack('openai-2');
    metrics.circuitState('openai-2', 'half_open');
    const text = await registry.metrics();
    const op = `${base},gen_ai_operation_name="chat"`;
    expect(text).toContain(`gen_ai_client_requests_total{${op}} 2`);
    expect(text).toContain(`gen_ai_client_tokens_total{${op},gen_ai_token_type="input"} 11`);
    expect(text).toContain(`gen_ai_client_tokens_total{${op},gen_ai_token_type="output"} 7`);
    expect(text).toContain(`gen_ai_client_failures_total{${op},error_type="timeout"} 1`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_sum{${op},error_type=""} 0.2`);
    expect(text).toContain(
      `gen_ai_client_operation_duration_seconds_bucket{le="0.25",${op},error_type=""} 1`,
    );
    expect(text).toContain(
      `gen_ai_client_operation_duration_seconds_sum{${op},error_type="timeout"} 3`,
    );
    expect(text).toContain(
      `gen_ai_client_operation_duration_seconds_bucket{le="2.5",${op},error_type="timeout"} 0`,
    );
    expect(text).toContain('gen_ai_provider_fallbacks_total{provider="openai-2"} 1');
    expect(text).toContain('gen_ai_provider_circuit_state{provider="openai-2",state="closed"} 0');
    expect(text).toContain('gen_ai_provider_circuit_state{provider="openai-2",state="open"} 0');
    expect(text).toContain(
      'gen_ai_provider_circuit_state{provider="openai-2",state="half_open"} 1',
    );
  });
});
