import type { IncomingHttpHeaders } from 'node:http';

const BEARER = /^Bearer +(\S+) *$/i;

/** A request that presents two different keys: which one it means cannot be guessed. */
export const CONFLICTING_KEYS = Symbol('conflicting keys');

/**
 * The API key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>` (the
 * same key in both is fine), or {@link CONFLICTING_KEYS}.
 */
export function presentedKey(
  headers: IncomingHttpHeaders,
): string | undefined | typeof CONFLICTING_KEYS {
  const bearer = BEARER.exec(headers.authorization ?? '')?.[1];
  const header = headers['x-api-key'];
  const apiKey = (typeof header === 'string' ? header.trim() : undefined) || undefined;
  if (bearer && apiKey && bearer !== apiKey) return CONFLICTING_KEYS;
  return bearer ?? apiKey;
}

/** RFC 6750's challenge: the same for a missing and a wrong key. */
export const WWW_AUTHENTICATE = 'Bearer realm="ai-agent-service"';
