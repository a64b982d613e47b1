import { hash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer +(\S+) *$/i;

/** SHA-256 of a configured token: what a presented one is compared with. */
export function tokenDigest(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

/**
 * Whether an Authorization header carries the token of `expected`. Digests have equal lengths,
 * so the comparison takes the same time whatever was sent.
 */
export function bearerMatches(authorization: string | undefined, expected: Buffer): boolean {
  const token = BEARER.exec(authorization ?? '')?.[1];
  return token !== undefined && timingSafeEqual(tokenDigest(token), expected);
}
