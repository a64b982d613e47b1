// The entry point. Tracing starts first, when the OTEL_* variables ask for it: modules are
// instrumented as they load, so the server (and everything it imports) is loaded only after.
import { startTelemetry } from '@app/platform/telemetry';

await startTelemetry(process.env);
await import('./server.js');
