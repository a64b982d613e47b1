import { describe, expect, it } from '@jest/globals';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ServerResponse } from 'node:http';
import { inSpan, serviceTracer } from './spans.js';
import { recordSpans } from './testing/index.js';
import { activeTraceId, setTraceResponseHeaders, traceLogFields } from './trace-context.js';

const recorder = recordSpans();
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

describe('trace context helpers', () => {
  it('give nothing outside a span', () => {
    expect(activeTraceId()).toBeUndefined();
    expect(traceLogFields()).toEqual({});
  });

  it('give the active span’s ids to log lines and problems', async () => {
    await inSpan('work', {}, (span) => {
      const { traceId, spanId } = span.spanContext();
      expect(activeTraceId()).toBe(traceId);
      expect(traceLogFields()).toEqual({ traceId, spanId });
      return Promise.resolve();
    });
  });

  it('set the traceparent of the given span on a response', () => {
    const headers: Record<string, string> = {};
    const res = {
      setHeader: (k: string, v: string) => (headers[k] = v),
    } as unknown as ServerResponse;
    const span = serviceTracer().startSpan('server');
    setTraceResponseHeaders(res, span);
    const { traceId, spanId } = span.spanContext();
    expect(headers).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
    span.end();
    setTraceResponseHeaders(res, undefined);
    expect(Object.keys(headers)).toEqual(['traceparent']);
  });

  it('mark a failed span with the error class, never its message', async () => {
    recorder.reset();
    await expect(
      inSpan('fails', {}, () => Promise.reject(new RangeError('quoted secret'))),
    ).rejects.toThrow(RangeError);
    const [span] = recorder.spans();
    expect(span.attributes).toEqual({ 'error.type': 'RangeError' });
    expect(JSON.stringify([span.attributes, span.events, span.status])).not.toContain(
      'quoted secret',
    );
  });
});
