import { hash } from 'node:crypto';

/** What a cached answer keeps: enough to answer again without the provider. */
export interface CachedCompletion {
  text: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

/**
 * Cache of provider answers. Implementations never throw: a failing cache is a miss, and a
 * failed write is forgotten.
 */
export interface ResponseCache {
  get(key: string): Promise<CachedCompletion | undefined>;
  set(key: string, value: CachedCompletion): Promise<void>;
}

/** Injection token of the configured {@link ResponseCache}. */
export const RESPONSE_CACHE = Symbol('RESPONSE_CACHE');

/**
 * Identical requests within one scope share a key: a hash over the scope, provider, model,
 * max_tokens, the prompt's SHA-256 and (on /v1) the hash of the other parameters. The scope is the API client the answer was made for
 * (`client:<id>`, `client:` without keys), or `shared` when every client may reuse it.
 */
export function cacheKey(
  scope: string,
  provider: string,
  model: string,
  maxTokens: number,
  promptSha256: string,
  paramsSha256?: string,
): string {
  // Without parameters the key is what it always was: /query and a plain /v1 turn share entries.
  const params = paramsSha256 === undefined ? '' : `\u0000${paramsSha256}`;
  return hash(
    'sha256',
    `${scope}\u0000${provider}\u0000${model}\u0000${maxTokens}\u0000${promptSha256}${params}`,
    'hex',
  );
}

/** The cache scope of a request: its client's own, unless the operator shares the cache. */
export function cacheScope(shared: boolean, clientId: string | null | undefined): string {
  return shared ? 'shared' : `client:${clientId ?? ''}`;
}
