import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

/** The tracer of the service's own spans; a no-op until the SDK is started. */
export function serviceTracer(): Tracer {
  return trace.getTracer('ai-agent-service');
}

/**
 * Runs `work` inside a new active span and ends it when the work settles. A failure marks the
 * span as an error with `error.type` (the error's class, never its message: messages may
 * quote prompts or keys). With tracing off the span is a no-op and this costs a function call.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
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
