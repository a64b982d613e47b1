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

/** Routes polled by Kubernetes and Prometheus: no server span (as they log at debug only). */
export const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);
