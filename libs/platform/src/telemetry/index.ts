// The entry point imports this before the application: it loads nothing heavy (the SDK only
// when tracing is on), so that every module imported after it can be instrumented.
export { startTelemetry, flushTelemetry } from './start-telemetry.js';
export { tracingEnabled } from './telemetry-settings.js';
export { activeTraceId, traceLogFields } from './trace-context.js';
export { inSpan, markFailed, errorType, serviceTracer, startSpan, inSpanContext } from './spans.js';
export { tracingStarted, metricsExportStarted } from './started.js';
