/** The limits' window: one minute. */
export const WINDOW_SECONDS = 60;
/**
 * Seconds an admission stays counted: it is recorded in the bucket of its second and leaves
 * the window 61 bucket-seconds later, so it always counts for at least a full minute. A
 * client therefore never gets more than the limit in any 60 seconds; at worst it waits one
 * second longer than an exact log would make it.
 */
export const BUCKET_SPAN_SECONDS = WINDOW_SECONDS + 1;

/** Requests and tokens per minute; 0 means unlimited. */
export interface Limits {
  requests: number;
  tokens: number;
}

/** Admissions recorded in one second. */
export interface Bucket {
  second: number;
  requests: number;
  tokens: number;
}

/** The outcome of one admission check, and the window's state after it. */
export interface WindowState {
  admitted: boolean;
  /** Admissions in the window (including this one when admitted). */
  requests: number;
  /** Tokens reserved or charged in the window. */
  tokens: number;
  /** Tokens reserved by this admission (the cost, capped at the token limit). */
  charge: number;
  /** Second whose bucket holds this admission (for settling the reservation). */
  second: number;
  /** Until the oldest admission leaves the window (capacity starts to come back). */
  firstFreeMs: number;
  /** Until the newest admission leaves the window (everything is back). */
  fullResetMs: number;
  /** Until this request would be admitted; 0 when it was. */
  retryAfterMs: number;
  requestsExceeded: boolean;
  tokensExceeded: boolean;
}

/**
 * The sliding-window check shared by both stores (the Redis script implements the same steps):
 * drop expired buckets, refuse when either budget would be exceeded, else record the admission.
 * A single request whose cost exceeds the whole token budget reserves the budget, so it can
 * still pass on an empty window. `buckets` is ascending by second and is updated in place.
 */
export function admit(buckets: Bucket[], nowMs: number, limits: Limits, cost: number): WindowState {
  const now = Math.floor(nowMs / 1000);
  while (buckets.length > 0 && buckets[0].second + BUCKET_SPAN_SECONDS <= now) buckets.shift();
  let requests = 0;
  let tokens = 0;
  for (const b of buckets) {
    requests += b.requests;
    tokens += b.tokens;
  }
  const charge = limits.tokens > 0 ? Math.min(cost, limits.tokens) : 0;
  const requestsExceeded = limits.requests > 0 && requests >= limits.requests;
  const tokensExceeded = limits.tokens > 0 && tokens + charge > limits.tokens;
  const leaves = (b: Bucket) => (b.second + BUCKET_SPAN_SECONDS) * 1000 - nowMs;

  let retryAfterMs = 0;
  if (requestsExceeded)
    retryAfterMs = untilFreed(buckets, 'requests', requests - limits.requests + 1, leaves);
  if (tokensExceeded) {
    const wait = untilFreed(buckets, 'tokens', tokens + charge - limits.tokens, leaves);
    retryAfterMs = Math.max(retryAfterMs, wait);
  }
  const admitted = !requestsExceeded && !tokensExceeded;
  if (admitted) {
    let current = buckets.at(-1);
    if (current?.second !== now) {
      current = { second: now, requests: 0, tokens: 0 };
      buckets.push(current);
    }
    current.requests += 1;
    current.tokens += charge;
    requests += 1;
    tokens += charge;
  }
  const oldest = buckets[0];
  const newest = buckets.at(-1);
  return {
    admitted,
    requests,
    tokens,
    charge: admitted ? charge : 0,
    second: now,
    firstFreeMs: oldest ? leaves(oldest) : WINDOW_SECONDS * 1000,
    fullResetMs: newest ? leaves(newest) : 0,
    retryAfterMs,
    requestsExceeded,
    tokensExceeded,
  };
}

/** Replaces a reservation with what was actually spent, if its bucket is still in the window. */
export function settle(buckets: Bucket[], second: number, delta: number): void {
  const bucket = buckets.find((b) => b.second === second);
  if (bucket) bucket.tokens = Math.max(0, bucket.tokens + delta);
}

function untilFreed(
  buckets: Bucket[],
  field: 'requests' | 'tokens',
  needed: number,
  leaves: (b: Bucket) => number,
): number {
  let freed = 0;
  for (const b of buckets) {
    freed += b[field];
    if (freed >= needed) return leaves(b);
  }
  const newest = buckets.at(-1);
  return newest ? leaves(newest) : 0;
}
