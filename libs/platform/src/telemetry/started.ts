// On the global object: the production bundle holds two copies of this module (the entry
// point's, which starts the SDK, and the server's, whose wrappers and metrics ask).
const TRACING = Symbol.for('ai-agent-service.telemetry.started');
const METRICS = Symbol.for('ai-agent-service.telemetry.metrics-exported');
const flags = globalThis as { [TRACING]?: boolean; [METRICS]?: boolean };

/** Records that a tracer provider is installed: the SDK at start-up, or a spec's recorder. */
export function markTracingStarted(): void {
  flags[TRACING] = true;
}

/**
 * Whether spans are recorded at all. Off (no SDK), the span wrappers run their work directly:
 * even the API's no-op tracer builds a context per active span, which showed in CPU profiles.
 */
export function tracingStarted(): boolean {
  return flags[TRACING] === true;
}

/** Records that the SDK exports metrics (OTEL_METRICS_EXPORTER=otlp or console). */
export function markMetricsExported(): void {
  flags[METRICS] = true;
}

/** Whether metrics go to the OpenTelemetry meter too; off, only Prometheus records them. */
export function metricsExportStarted(): boolean {
  return flags[METRICS] === true;
}
