import { loadEnvironment } from '../config/load-environment.js';
import type { TelemetryShutdown } from './otel-sdk.js';
import { tracingEnabled } from './telemetry-settings.js';

let shutdown: TelemetryShutdown | undefined;

/**
 * Starts tracing when the OTEL_* variables ask for it, before the application is imported (the
 * entry point awaits this, then imports the server). Off, nothing of the SDK is loaded. An
 * invalid environment starts nothing here: the server's own validation reports it and exits.
 */
export async function startTelemetry(
  raw: Record<string, string | undefined> = process.env,
): Promise<boolean> {
  let enabled = false;
  try {
    enabled = tracingEnabled(loadEnvironment(raw));
  } catch {
    return false;
  }
  if (!enabled) return false;
  const { startOtelSdk } = await import('./otel-sdk.js');
  shutdown = startOtelSdk(loadEnvironment(raw));
  return true;
}

/** Exports the spans still queued (at shutdown); a no-op when tracing is off. */
export async function flushTelemetry(): Promise<void> {
  const done = shutdown;
  shutdown = undefined;
  await done?.();
}
