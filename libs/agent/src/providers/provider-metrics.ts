import { type Counter, Gauge, type Histogram } from 'prom-client';
import { SeriesCounter, SeriesHistogram, type MetricsRegistry } from '@app/platform';
import type { ProviderFailureKind } from './provider-error.js';

/** Circuit states as exported (`gen_ai_provider_circuit_state{state}`) and shown in /ready. */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitStateName = (typeof CIRCUIT_STATES)[number];

/** Labels of every provider metric; names follow the OpenTelemetry GenAI attributes. */
export interface ProviderLabels {
  /** Our id of the chain member (`openai`, `openai-2`, `builtin`): endpoints stay apart. */
  provider: string;
  gen_ai_provider_name: string;
  gen_ai_request_model: string;
}
type Label = keyof ProviderLabels | 'gen_ai_operation_name';

/**
 * Per-provider metrics in the OpenTelemetry GenAI vocabulary (`gen_ai.client.operation.duration`,
 * `gen_ai.client.token.usage`, `gen_ai.operation.name`, `gen_ai.provider.name`,
 * `gen_ai.request.model`, `error.type`), with dots as underscores as Prometheus requires.
 */
export class ProviderMetrics {
  private readonly requests: Counter<Label>;
  private readonly failures: Counter<Label | 'error_type'>;
  private readonly duration: Histogram<Label | 'error_type'>;
  private readonly tokens: Counter<Label | 'gen_ai_token_type'>;
  private readonly circuit: Gauge<'provider' | 'state'>;
  private readonly fallbacks: Counter<'provider'>;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    const labelNames: Label[] = [
      'provider',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'gen_ai_operation_name',
    ];
    this.requests = new SeriesCounter({
      name: 'gen_ai_client_requests_total',
      help: 'Calls to an LLM provider (each fallback attempt counts), by provider and model.',
      labelNames,
      registers,
    });
    this.failures = new SeriesCounter({
      name: 'gen_ai_client_failures_total',
      help: 'Failed LLM provider calls, by provider, model and error type.',
      labelNames: [...labelNames, 'error_type'],
      registers,
    });
    this.duration = new SeriesHistogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'Duration of LLM provider calls (streams: until the last chunk); error_type is empty on success.',
      labelNames: [...labelNames, 'error_type'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80],
      registers,
    });
    this.tokens = new SeriesCounter({
      name: 'gen_ai_client_tokens_total',
      help: 'Tokens consumed at LLM providers, by provider, model and token type (input, output).',
      labelNames: [...labelNames, 'gen_ai_token_type'],
      registers,
    });
    this.circuit = new Gauge({
      name: 'gen_ai_provider_circuit_state',
      help: 'Circuit breaker state per provider: 1 for the current state, 0 for the others.',
      labelNames: ['provider', 'state'],
      registers,
    });
    this.fallbacks = new SeriesCounter({
      name: 'gen_ai_provider_fallbacks_total',
      help: 'Requests handed to the next provider of the chain, by the provider that was skipped.',
      labelNames: ['provider'],
      registers,
    });
  }

  started(labels: ProviderLabels): void {
    this.requests.inc({ ...labels, gen_ai_operation_name: 'chat' });
  }

  succeeded(labels: ProviderLabels, seconds: number, input: number, output: number): void {
    const l = { ...labels, gen_ai_operation_name: 'chat' };
    this.duration.observe({ ...l, error_type: '' }, seconds);
    this.tokens.inc({ ...l, gen_ai_token_type: 'input' }, input);
    this.tokens.inc({ ...l, gen_ai_token_type: 'output' }, output);
  }

  failed(labels: ProviderLabels, seconds: number, kind: ProviderFailureKind): void {
    const l = { ...labels, gen_ai_operation_name: 'chat', error_type: kind };
    this.failures.inc(l);
    this.duration.observe(l, seconds);
  }

  fellBack(provider: string): void {
    this.fallbacks.inc({ provider });
  }

  circuitState(provider: string, state: CircuitStateName): void {
    for (const s of CIRCUIT_STATES) this.circuit.set({ provider, state: s }, s === state ? 1 : 0);
  }
}
