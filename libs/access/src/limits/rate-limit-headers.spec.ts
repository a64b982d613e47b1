import { describe, expect, it } from '@jest/globals';
import { duration, rateLimitHeaders } from './rate-limit-headers.js';
import type { WindowState } from './sliding-window.js';

const state: WindowState = {
  admitted: true,
  requests: 4,
  tokens: 1_250,
  charge: 300,
  second: 0,
  firstFreeMs: 41_200,
  fullResetMs: 59_001,
  retryAfterMs: 0,
  requestsExceeded: false,
  tokensExceeded: false,
};

describe('rate-limit headers', () => {
  it('states the request policy in the IETF draft fields and both budgets OpenAI-style', () => {
    expect(rateLimitHeaders({ requests: 10, tokens: 5_000 }, state)).toEqual({
      'RateLimit-Policy': '"requests";q=10;w=60',
      RateLimit: '"requests";r=6;t=42',
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '6',
      'x-ratelimit-reset-requests': '42s',
      'x-ratelimit-limit-tokens': '5000',
      'x-ratelimit-remaining-tokens': '3750',
      'x-ratelimit-reset-tokens': '42s',
    });
  });

  it('reads one clock: RateLimit t= and the reset durations say the same seconds', () => {
    const atEdge = { ...state, firstFreeMs: 60_440, fullResetMs: 60_900 };
    const headers = rateLimitHeaders({ requests: 10, tokens: 5_000 }, atEdge);
    expect(headers['RateLimit']).toBe('"requests";r=6;t=61');
    expect(headers['x-ratelimit-reset-requests']).toBe('1m1s');
    expect(headers['x-ratelimit-reset-tokens']).toBe('1m1s');
  });

  it('sends only the configured policies and never a negative remainder', () => {
    expect(rateLimitHeaders({ requests: 0, tokens: 1_000 }, state)).toEqual({
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '42s',
    });
    expect(Object.keys(rateLimitHeaders({ requests: 3, tokens: 0 }, state))).not.toContain(
      'x-ratelimit-limit-tokens',
    );
  });

  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1_000, '1s'],
    [12_500, '12.5s'],
    [60_000, '1m0s'],
    [61_250, '1m1.25s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});
