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
 * parsers, drivers and upstream clients quote request content in them. Accepts the Error itself
 * or pino's serialized form of it (pino-http wraps every `err` serializer in pino's own, so the
 * application logger hands this one a plain object whose hidden `raw` is the original error).
 */
export function errorSerializer(err: unknown): Record<string, unknown> {
  const error = originalError(err);
  if (error === undefined) return { type: typeof err };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 10)
    .map((line) => line.trim());
  const code = (error as Error & { code?: unknown }).code;
  return {
    type: typeOf(error),
    ...(typeof code === 'string' && SAFE_CODE.test(code) ? { code } : {}),
    frames,
  };
}

// Error codes are identifiers (ECONNREFUSED, 23505, ERR_…): anything else could be input.
const SAFE_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** The class name (pg's DatabaseError names itself "error"), else the error's own name. */
function typeOf(error: Error): string {
  const ctor = (error.constructor as { name?: unknown } | undefined)?.name;
  return typeof ctor === 'string' && ctor !== '' && ctor !== 'Error' && ctor !== 'Object'
    ? ctor
    : error.name;
}

function originalError(err: unknown): Error | undefined {
  if (err instanceof Error) return err;
  if (err !== null && typeof err === 'object') {
    const raw = (err as { raw?: unknown }).raw;
    if (raw instanceof Error) return raw;
  }
  return undefined;
}
