import { createHash } from 'node:crypto';

/** A key and its configuration entry, as `npm run apikey -- new <id>` would print them. */
export function testKey(clientId: string, overrides = ''): { key: string; entry: string } {
  const key = `aik_test_${clientId}_${Math.random().toString(36).slice(2)}`;
  const hash = createHash('sha256').update(key).digest('hex');
  return { key, entry: `${clientId}:${hash}${overrides ? `:${overrides}` : ''}` };
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
