// For specs only (never imported by the service): an in-memory tracer installed globally, so
// code under test that uses the OpenTelemetry API records real spans.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { markTracingStarted } from '../started.js';

const exporter = new InMemorySpanExporter();
let installed = false;

/** Installs the recording tracer (once per test file) and returns the spans ended so far. */
export function recordSpans(): { spans: () => ReadableSpan[]; reset: () => void } {
  if (!installed) {
    installed = true;
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
    );
    markTracingStarted();
  }
  return { spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
}
