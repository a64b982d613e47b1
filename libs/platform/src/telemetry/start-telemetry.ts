import { loadEnvironment } from '../config/load-environment.js';
import type { TelemetryEnvironment } from '../config/telemetry-environment.js';
import type { TelemetryShutdown } from './otel-sdk.js';
import { markMetricsExported, markTracingStarted } from './started.js';
import { metricsExported, telemetryEnabled, tracingEnabled } from './telemetry-settings.js';

// On the global object, not in this module: the production bundle holds two copies of this module
// (the entry point's, which starts the SDK, and the traced server's, which flushes it).
const SHUTDOWN = Symbol.for('ai-agent-service.telemetry.shutdown');
const holder = globalThis as { [SHUTDOWN]?: TelemetryShutdown };

/**
 * Starts tracing and/or metrics export when the OTEL_* variables ask for it, before the application is imported (the
 * entry point awaits this, then imports the server). Off, nothing of the SDK is loaded. An
 * invalid environment starts nothing here: the server's own validation reports it and exits.
 */
export async function startTelemetry(
  raw: Record<string, string | undefined> = process.env,
): Promise<boolean> {
  let env: TelemetryEnvironment;
  try {
    env = loadEnvironment(raw);
  } catch {
    return false;
  }
  if (!telemetryEnabled(env)) return false;
  const { startOtelSdk } = await import('./otel-sdk.js');
  holder[SHUTDOWN] = startOtelSdk(env);
  // Metrics alone (OTEL_TRACES_EXPORTER=none): the span wrappers stay no-ops.
  if (tracingEnabled(env)) markTracingStarted();
  if (metricsExported(env)) markMetricsExported();
  return true;
}

/**
 * A collector that is down or slow must not hold the shutdown (the exporter retries for up to
 * OTEL_EXPORTER_OTLP_TIMEOUT, 10 s by default, and the pod's grace period is short): what is not
 * exported by then is dropped.
 */
export const FLUSH_TIMEOUT_MS = 2_000;

/** Exports the spans still queued (at shutdown), for at most FLUSH_TIMEOUT_MS; a no-op when off. */
export async function flushTelemetry(timeoutMs = FLUSH_TIMEOUT_MS): Promise<void> {
  const done = holder[SHUTDOWN];
  holder[SHUTDOWN] = undefined;
  if (done === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([done().catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
