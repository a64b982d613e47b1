import { context, isSpanContextValid, propagation, trace, type Span } from '@opentelemetry/api';
import type { ServerResponse } from 'node:http';

/** The trace id of the request being served, if it is traced (sampled or not). */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

/**
 * pino `mixin`: the trace and span ids of the request in every line written while serving it
 * (the request line too: the response's `close` runs in the request's context).
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? { traceId: ctx.traceId, spanId: ctx.spanId } : {};
}

/**
 * Sets `traceparent` (and `tracestate`) of the server span on the response, so a client can
 * find its request in the tracing backend.
 */
export function setTraceResponseHeaders(res: ServerResponse, span: Span | undefined): void {
  if (span === undefined || !isSpanContextValid(span.spanContext())) return;
  propagation.inject(trace.setSpan(context.active(), span), res, {
    set: (carrier, key, value) => {
      if (key === 'traceparent' || key === 'tracestate') carrier.setHeader(key, value);
    },
  });
}
