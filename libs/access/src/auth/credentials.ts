import type { IncomingHttpHeaders } from 'node:http';

const BEARER = /^Bearer +(\S+) *$/i;

/** The API key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const bearer = BEARER.exec(headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  const header = headers['x-api-key'];
  const key = typeof header === 'string' ? header.trim() : undefined;
  return key || undefined;
}

/** RFC 6750's challenge: the same for a missing and a wrong key. */
export const WWW_AUTHENTICATE = 'Bearer realm="ai-agent-service"';
