import { register } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { TelemetryEnvironment } from '../config/telemetry-environment.js';
import { INSTRUMENTED_MODULES, instrumentations } from './instrumentations.js';

/** Flushes what is queued and stops exporting; the process may exit afterwards. */
export type TelemetryShutdown = () => Promise<void>;

/**
 * Starts the OpenTelemetry SDK from the standard OTEL_* variables: OTLP traces through a
 * BatchSpanProcessor (OTEL_BSP_* bound its queue, so an exporter that is down or slow costs
 * dropped spans, never a slower request), W3C trace context, the service's resource.
 * Must run before the application's modules are imported: instrumentation patches packages as
 * they load (require hooks for CommonJS, the import-in-the-middle loader for ES modules).
 */
export function startOtelSdk(env: TelemetryEnvironment): TelemetryShutdown {
  // ES modules (Nest 12 is ESM-only) are instrumented through this loader hook. Only the
  // instrumented packages pass through it: wrapping every module of the application costs start-up
  // time, memory and a getter on every imported binding, for nothing.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: [INSTRUMENTED_MODULES] },
  });
  // Defaults of this service where the SDK's differ: metrics and logs are exported only when
  // asked for (Prometheus serves metrics; logs go to stdout), HTTP attributes follow the stable
  // conventions, and the service is named.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_SEMCONV_STABILITY_OPT_IN ??= 'http';
  process.env.OTEL_SERVICE_NAME ??= 'ai-agent-service';
  process.env.OTEL_BSP_MAX_QUEUE_SIZE ??= String(env.OTEL_BSP_MAX_QUEUE_SIZE);
  const sdk = new NodeSDK({ instrumentations: instrumentations() });
  sdk.start();
  return () => sdk.shutdown();
}
