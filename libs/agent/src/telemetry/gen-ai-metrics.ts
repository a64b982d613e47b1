import {
  metrics as otelMetrics,
  type Attributes,
  type Histogram as OtelHistogram,
} from '@opentelemetry/api';
import type { Histogram } from 'prom-client';
import { SeriesHistogram, type MetricsRegistry } from '@app/platform';
import { metricsExportStarted } from '@app/platform/telemetry';

/** Label names: the GenAI attributes with dots as underscores, plus our provider id. */
type Label =
  | 'provider'
  | 'gen_ai_operation_name'
  | 'gen_ai_provider_name'
  | 'gen_ai_request_model'
  | 'gen_ai_response_model'
  | 'gen_ai_token_type'
  | 'error_type';
export type GenAiLabels = Partial<Record<Label, string>>;

// Bucket boundaries advised by the GenAI metric conventions.
const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
const TPOT_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** One GenAI histogram on /metrics (Prometheus naming) and on the OpenTelemetry meter. */
class GenAiHistogram {
  private readonly prom: Histogram<Label>;
  private readonly otel: OtelHistogram | undefined;

  constructor(
    registry: MetricsRegistry,
    otelName: string,
    promName: string,
    unit: string,
    help: string,
    buckets: number[],
    labelNames: Label[],
  ) {
    this.prom = new SeriesHistogram({
      name: promName,
      help,
      labelNames,
      buckets,
      registers: [registry],
    });
    // Only when the SDK exports metrics (OTEL_METRICS_EXPORTER=otlp): otherwise every
    // observation would build its attributes for the API's no-op meter.
    this.otel = !metricsExportStarted()
      ? undefined
      : otelMetrics.getMeter('ai-agent-service').createHistogram(otelName, {
          unit,
          description: help,
          advice: { explicitBucketBoundaries: buckets },
        });
  }

  record(labels: GenAiLabels, value: number): void {
    this.prom.observe(labels, value);
    if (this.otel === undefined) return;
    const attributes: Attributes = {};
    for (const [key, v] of Object.entries(labels)) {
      if (v !== undefined && v !== '') attributes[ATTRIBUTE_OF[key as Label]] = v;
    }
    this.otel.record(value, attributes);
  }
}

const ATTRIBUTE_OF: Record<Label, string> = {
  provider: 'ai_agent.provider.id',
  gen_ai_operation_name: 'gen_ai.operation.name',
  gen_ai_provider_name: 'gen_ai.provider.name',
  gen_ai_request_model: 'gen_ai.request.model',
  gen_ai_response_model: 'gen_ai.response.model',
  gen_ai_token_type: 'gen_ai.token.type',
  error_type: 'error.type',
};

const SERVER_LABELS: Label[] = [
  'provider',
  'gen_ai_operation_name',
  'gen_ai_request_model',
  'gen_ai_response_model',
  'error_type',
];

/**
 * The GenAI metrics of the conventions (see gen-ai-semconv.ts for the version): the service's
 * own answers as a GenAI server (request duration, time to first token, time per output token)
 * and the tokens each upstream call used (`gen_ai.client.token.usage`).
 */
export class GenAiMetrics {
  readonly requestDuration: GenAiHistogram;
  readonly timeToFirstToken: GenAiHistogram;
  readonly timePerOutputToken: GenAiHistogram;
  readonly tokenUsage: GenAiHistogram;

  constructor(registry: MetricsRegistry) {
    this.requestDuration = new GenAiHistogram(
      registry,
      'gen_ai.server.request.duration',
      'gen_ai_server_request_duration_seconds',
      's',
      'GenAI answers of this service, from request to last token (cache hits included); error_type set on failures.',
      DURATION_BUCKETS,
      SERVER_LABELS,
    );
    this.timeToFirstToken = new GenAiHistogram(
      registry,
      'gen_ai.server.time_to_first_token',
      'gen_ai_server_time_to_first_token_seconds',
      's',
      'Time from request to the first token of a successful answer (the whole answer when not streamed).',
      TTFT_BUCKETS,
      SERVER_LABELS.filter((l) => l !== 'error_type'),
    );
    this.timePerOutputToken = new GenAiHistogram(
      registry,
      'gen_ai.server.time_per_output_token',
      'gen_ai_server_time_per_output_token_seconds',
      's',
      'Time per output token after the first of a successful streamed answer (duration / tokens when not streamed).',
      TPOT_BUCKETS,
      SERVER_LABELS.filter((l) => l !== 'error_type'),
    );
    this.tokenUsage = new GenAiHistogram(
      registry,
      'gen_ai.client.token.usage',
      'gen_ai_client_token_usage',
      '{token}',
      'Tokens used per LLM upstream call, by token type (input, output).',
      TOKEN_BUCKETS,
      [
        'provider',
        'gen_ai_operation_name',
        'gen_ai_provider_name',
        'gen_ai_request_model',
        'gen_ai_response_model',
        'gen_ai_token_type',
      ],
    );
  }
}
