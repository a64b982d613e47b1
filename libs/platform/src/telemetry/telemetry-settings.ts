import type { TelemetryEnvironment } from '../config/telemetry-environment.js';

/**
 * Whether traces are on: an OTLP endpoint or an explicit traces exporter is configured, and
 * OTEL_SDK_DISABLED does not say otherwise. Off, the SDK is never even loaded.
 */
export function tracingEnabled(env: TelemetryEnvironment): boolean {
  if (env.OTEL_SDK_DISABLED || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return (
    env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined ||
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined ||
    env.OTEL_TRACES_EXPORTER !== undefined
  );
}

/**
 * Whether metrics are exported by the SDK (OTEL_METRICS_EXPORTER=otlp or console) as well as
 * served on /metrics. Off by default: Prometheus scrapes /metrics.
 */
export function metricsExported(env: TelemetryEnvironment): boolean {
  if (env.OTEL_SDK_DISABLED) return false;
  return env.OTEL_METRICS_EXPORTER === 'otlp' || env.OTEL_METRICS_EXPORTER === 'console';
}

/** Whether the SDK runs at all: for traces, for exported metrics, or both. */
export function telemetryEnabled(env: TelemetryEnvironment): boolean {
  return tracingEnabled(env) || metricsExported(env);
}

/** Routes polled by Kubernetes and Prometheus: no server span (as they log at debug only). */
export const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);
