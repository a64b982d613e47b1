import { inSpan, startSpan, tracingStarted, inSpanContext } from '@app/platform/telemetry';
import type { QueryHistory } from '../history/query-history.js';
import { withMethods } from './traced.js';

/**
 * The configured history with its calls traced: `history.record` (instant: the store writes
 * behind, and its PostgreSQL insert is a span of the same trace when it runs), `history.get`
 * and `history.list` around their reads (PostgreSQL queries as children). No record content.
 */
export function traceQueryHistory<T extends QueryHistory>(
  history: T,
  backend: 'memory' | 'postgresql',
): T {
  const attributes = { 'history.backend': backend };
  const record = history.record.bind(history);
  const get = history.get.bind(history);
  const list = history.list.bind(history);
  return withMethods<QueryHistory>(history, {
    record: (...args) => {
      if (!tracingStarted()) return record(...args);
      const span = startSpan('history.record', {
        attributes: { ...attributes, 'history.outcome': args[0].outcome },
      });
      try {
        inSpanContext(span)(() => record(...args));
      } finally {
        span.end();
      }
    },
    get: (...args) =>
      inSpan('history.get', attributes, async (span) => {
        const found = await get(...args);
        span.setAttribute('history.found', found !== undefined);
        return found;
      }),
    list: (...args) =>
      inSpan('history.list', attributes, async (span) => {
        const page = await list(...args);
        span.setAttribute('history.items', page.items.length);
        return page;
      }),
  }) as T;
}
