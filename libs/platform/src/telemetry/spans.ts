import {
  context,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { tracingStarted } from './started.js';

/** What the wrappers hand their work with tracing off: records nothing, costs nothing. */
const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The tracer of the service's own spans; a no-op until the SDK is started. */
export function serviceTracer(): Tracer {
  return trace.getTracer('ai-agent-service');
}

/** A new span of the service's tracer (not made active), or a no-op span with tracing off. */
export function startSpan(name: string, options: SpanOptions): Span {
  return tracingStarted() ? serviceTracer().startSpan(name, options) : NO_SPAN;
}

/** Runs work with `span` as the active span (the context is made once); directly with tracing off. */
export function inSpanContext(span: Span): <T>(work: () => T) => T {
  if (!tracingStarted()) return (work) => work();
  const active = trace.setSpan(context.active(), span);
  return (work) => context.with(active, work);
}

/**
 * Runs `work` inside a new active span and ends it when the work settles. A failure marks the
 * span as an error with `error.type` (the error's class, never its message: messages may
 * quote prompts or keys). With tracing off, `work` runs directly with a no-op span.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!tracingStarted()) return work(NO_SPAN);
  return serviceTracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, errorType(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span as failed with a low-cardinality `error.type`. */
export function markFailed(span: Span, type: string): void {
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** The class of what was thrown (`_OTHER` for non-errors), as `error.type` wants it. */
export function errorType(error: unknown): string {
  if (!(error instanceof Error)) return '_OTHER';
  const name = (error.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : error.name;
}
