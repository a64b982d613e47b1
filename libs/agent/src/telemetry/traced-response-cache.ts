import { inSpan } from '@app/platform/telemetry';
import type { ResponseCache } from '../cache/response-cache.js';
import { withMethods } from './traced.js';

/**
 * The configured cache with its lookups traced: a span `cache.lookup` with `cache.hit` (the
 * Redis command, when Redis backs it, is a child span). Writes are not awaited on the answer
 * path, so they get no span here.
 */
export function traceResponseCache<T extends ResponseCache>(
  cache: T,
  backend: 'memory' | 'redis',
): T {
  const get = cache.get.bind(cache);
  return withMethods<ResponseCache>(cache, {
    get: (...args) =>
      inSpan('cache.lookup', { 'cache.backend': backend }, async (span) => {
        const hit = await get(...args);
        span.setAttribute('cache.hit', hit !== undefined);
        return hit;
      }),
  }) as T;
}
