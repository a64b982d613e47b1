import type { IncomingMessage } from 'node:http';

/**
 * Whether a request carries more than one `Host` header, which RFC 9112 (section 3.2) says to
 * answer with 400: Node keeps the first and drops the rest, and a proxy in front may have
 * routed by another one.
 */
export function hasDuplicateHost(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}
