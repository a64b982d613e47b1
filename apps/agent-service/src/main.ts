// The entry point. Tracing starts first, when the OTEL_* variables ask for it: modules are
// instrumented as they load, so the server (and everything it imports) is loaded only after.
import { startTelemetry } from '@app/platform/telemetry';

/**
 * Set by the production bundler: the server built with the instrumented packages left as
 * packages (a module inlined into a bundle escapes the instrumentation's hooks). Undefined in
 * tsc's output, where every package is loaded as a package anyway.
 */
declare const TRACED_SERVER: string | undefined;

if ((await startTelemetry(process.env)) && typeof TRACED_SERVER === 'string') {
  await import(TRACED_SERVER);
} else {
  await import('./server.js');
}
