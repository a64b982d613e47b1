import { WINDOW_SECONDS, type Limits, type WindowState } from './sliding-window.js';

/** Names of the two policies, as in `RateLimit-Policy` and a 429's `violated-policies`. */
export type PolicyName = 'requests' | 'tokens';

/**
 * Response headers describing the caller's budgets after this request:
 * - the IETF HTTPAPI draft's `RateLimit-Policy` / `RateLimit` (Structured Fields: the policy
 *   name is a String, `q` quota, `w` window, `r` remaining, `t` seconds until capacity starts
 *   to come back). The draft registers no unit for tokens, so only the request policy is
 *   expressed there;
 * - OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, which existing LLM
 *   clients already read (as "1s" or "1m0s").
 * Both read one clock: the whole seconds until capacity starts to come back, so `t=` and the
 * reset durations always say the same.
 */
export function rateLimitHeaders(limits: Limits, state: WindowState): Record<string, string> {
  const headers: Record<string, string> = {};
  const reset = seconds(state.firstFreeMs);
  if (limits.requests > 0) {
    const remaining = Math.max(0, limits.requests - state.requests);
    headers['RateLimit-Policy'] = `"requests";q=${limits.requests};w=${WINDOW_SECONDS}`;
    headers['RateLimit'] = `"requests";r=${remaining};t=${reset}`;
    headers['x-ratelimit-limit-requests'] = String(limits.requests);
    headers['x-ratelimit-remaining-requests'] = String(remaining);
    headers['x-ratelimit-reset-requests'] = duration(reset * 1000);
  }
  if (limits.tokens > 0) {
    headers['x-ratelimit-limit-tokens'] = String(limits.tokens);
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, limits.tokens - state.tokens));
    headers['x-ratelimit-reset-tokens'] = duration(reset * 1000);
  }
  return headers;
}

/** Headers a browser may read across origins (CORS `Access-Control-Expose-Headers`). */
export const RATE_LIMIT_HEADER_NAMES = [
  'RateLimit-Policy',
  'RateLimit',
  'Retry-After',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
];

/** Whole seconds, rounded up: a client that waits this long is never early. */
export function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/** OpenAI's duration notation: `250ms`, `12s`, `1.5s`, `1m0s`. */
export function duration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const minutes = Math.floor(total / 60_000);
  const rest = Number(((total % 60_000) / 1000).toFixed(3));
  return minutes > 0 ? `${minutes}m${rest}s` : `${rest}s`;
}
