import { hash, randomBytes } from 'node:crypto';

/** Recognisable by secret scanners; the rest is 256 random bits. */
export const API_KEY_PREFIX = 'aik_';
/** Longest credential accepted from a request: anything longer is refused before hashing. */
export const MAX_API_KEY_LENGTH = 256;

/** A new random API key. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 of a key: what configuration holds instead of the key. */
export function apiKeyDigest(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

/** The configuration entry of `key` for `clientId`: `client-id:sha256-hex`. */
export function keyEntry(clientId: string, key: string): string {
  return `${clientId}:${apiKeyDigest(key).toString('hex')}`;
}
