/**
 * W3C trace context on answers: present when tracing is on (OTEL_* configured), absent
 * otherwise, so declared optional on every response.
 */
export const TRACE_HEADERS = {
  traceparent: {
    description:
      'W3C trace context of the server span that answered (when tracing is on): the trace id is the one in the problem documents and the log lines of the request.',
    required: false,
    schema: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
  },
  tracestate: {
    description: 'W3C trace state carried along with traceparent, when the caller sent one.',
    required: false,
    schema: { type: 'string', maxLength: 512 },
  },
} as const;

export const TRACE_HEADER_REFS = {
  traceparent: { $ref: '#/components/headers/traceparent' },
  tracestate: { $ref: '#/components/headers/tracestate' },
};
