import { HttpException } from '@nestjs/common';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { serviceTracer, tracingStarted } from '@app/platform/telemetry';
import { accessContextOf } from './access-context.js';

/** Why the access step refused a request, by the status it answers. */
const REFUSALS: Record<number, string> = {
  401: 'unauthorized',
  429: 'rate_limited',
  503: 'overloaded',
};

/**
 * The access step as a span `access`: `access.outcome` (admitted, unauthorized, rate_limited,
 * overloaded, failed) and `access.client_id` (the configured id, or `anonymous` without keys;
 * never the key, which never leaves the guard).
 */
export function traceAccess<T>(request: object, check: () => Promise<T>): Promise<T> {
  if (!tracingStarted()) return check();
  return serviceTracer().startActiveSpan('access', async (span) => {
    try {
      const admitted = await check();
      settle(span, request, 'admitted');
      return admitted;
    } catch (error) {
      const status = error instanceof HttpException ? error.getStatus() : 500;
      const outcome = REFUSALS[status] ?? 'failed';
      settle(span, request, outcome);
      if (outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

function settle(span: Span, request: object, outcome: string): void {
  if (!span.isRecording()) return;
  const access = accessContextOf(request);
  span.setAttribute('access.outcome', outcome);
  if (access) span.setAttribute('access.client_id', access.clientId ?? 'anonymous');
}
