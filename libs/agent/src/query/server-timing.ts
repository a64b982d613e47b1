import { elapsedMs, type ResponseControls } from '@app/platform';
import type { AnswerTimings } from './query.service.js';

/**
 * The `Server-Timing` metrics of an answer (W3C Server Timing), in milliseconds: time in the
 * response cache and in the provider, and `total`, from the request's arrival (its one clock)
 * to the answer, so that a client sees the service's own share (`total` minus `upstream`)
 * without a profiler.
 */
export function serverTiming(
  timings: AnswerTimings | undefined,
  totalMs: number,
): string | undefined {
  if (!timings) return undefined;
  const metrics: string[] = [];
  if (timings.cacheMs !== undefined) metrics.push(`cache;dur=${round(timings.cacheMs)}`);
  if (timings.upstreamMs !== undefined) metrics.push(`upstream;dur=${round(timings.upstreamMs)}`);
  if (metrics.length === 0) return undefined;
  metrics.push(`total;dur=${round(totalMs)}`);
  return metrics.join(', ');
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The header in the OpenAPI document. */
export const SERVER_TIMING_HEADER = {
  description:
    'W3C Server Timing, in ms: `cache` (lookup), `upstream` (the provider, up to its answer), `total` (arrival to these headers). A stream reports the cache and the total up to its first byte.',
  schema: { type: 'string', example: 'cache;dur=0.21, upstream;dur=182.4, total;dur=184.9' },
};

/** `X-Cache`, and the answer's share of `Server-Timing`. */
export function setAnswerHeaders(
  res: ResponseControls,
  cache: string,
  timings: AnswerTimings | undefined,
): void {
  res.header('X-Cache', cache);
  const timing = serverTiming(timings, elapsedMs(res));
  if (timing) res.header('Server-Timing', timing);
}
