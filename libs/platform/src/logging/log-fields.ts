import type { IncomingMessage, ServerResponse } from 'node:http';

/** Routes polled by Kubernetes and Prometheus: logged at debug, not info. */
export const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);

export function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

/**
 * The matched handler's route template (bounded cardinality), or `unmatched`. Wildcard
 * templates belong to middleware mounts, never to a handler.
 */
export function routeOf(req: IncomingMessage): string {
  const path = (req as IncomingMessage & { route?: { path?: unknown } }).route?.path;
  return typeof path === 'string' && !path.includes('*') ? path : 'unmatched';
}

// Serializers keep an allow-list: no headers, no query string, no body ever reach a log line.
export const requestSerializer = (req: IncomingMessage) => ({
  method: req.method,
  path: pathOf((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url),
});
export const responseSerializer = (res: ServerResponse) => ({ status: res.statusCode });

/**
 * Errors are reduced to their type, code and stack frames: messages are dropped because
 * parsers and upstream clients quote request content in them.
 */
export function errorSerializer(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 10)
    .map((line) => line.trim());
  const code = (err as Error & { code?: unknown }).code;
  return { type: err.name, ...(typeof code === 'string' ? { code } : {}), frames };
}
