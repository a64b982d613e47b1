import { describe, expect, it } from '@jest/globals';
import { admit, settle, type Bucket } from './sliding-window.js';

const T0 = 1_700_000_000_000; // a whole second

describe('sliding window', () => {
  it('admits up to the request limit, then refuses with the wait until the oldest leaves', () => {
    const buckets: Bucket[] = [];
    const limits = { requests: 3, tokens: 0 };
    expect(admit(buckets, T0, limits, 0)).toMatchObject({ admitted: true, requests: 1 });
    expect(admit(buckets, T0 + 10_000, limits, 0)).toMatchObject({ admitted: true, requests: 2 });
    expect(admit(buckets, T0 + 20_000, limits, 0)).toMatchObject({ admitted: true, requests: 3 });
    const refused = admit(buckets, T0 + 30_000, limits, 0);
    expect(refused).toMatchObject({
      admitted: false,
      requests: 3,
      requestsExceeded: true,
      tokensExceeded: false,
      // The first admission counts for 61 bucket-seconds: until T0 + 61 s.
      retryAfterMs: 31_000,
      firstFreeMs: 31_000,
      fullResetMs: 51_000,
    });
    // Refusals are not recorded: the window is unchanged.
    expect(buckets.reduce((n, b) => n + b.requests, 0)).toBe(3);
    expect(admit(buckets, T0 + 60_999, limits, 0).admitted).toBe(false);
    expect(admit(buckets, T0 + 61_000, limits, 0)).toMatchObject({ admitted: true, requests: 3 });
  });

  it('never lets more than the limit through in any 60 seconds', () => {
    const buckets: Bucket[] = [];
    const limits = { requests: 5, tokens: 0 };
    const admittedAt: number[] = [];
    for (let t = T0; t < T0 + 300_000; t += 137) {
      if (admit(buckets, t, limits, 0).admitted) admittedAt.push(t);
    }
    for (const start of admittedAt) {
      const inWindow = admittedAt.filter((t) => t >= start && t < start + 60_000);
      expect(inWindow.length).toBeLessThanOrEqual(5);
    }
    // ...and is not stingier than one extra second per window.
    expect(admittedAt.length).toBeGreaterThanOrEqual(5 * 4);
  });

  it('reserves tokens and refuses a request whose reservation does not fit', () => {
    const buckets: Bucket[] = [];
    const limits = { requests: 0, tokens: 1_000 };
    expect(admit(buckets, T0, limits, 600)).toMatchObject({
      admitted: true,
      tokens: 600,
      charge: 600,
    });
    const refused = admit(buckets, T0 + 1_000, limits, 500);
    expect(refused).toMatchObject({
      admitted: false,
      tokensExceeded: true,
      tokens: 600,
      charge: 0,
    });
    expect(refused.retryAfterMs).toBe(60_000);
    expect(admit(buckets, T0 + 1_000, limits, 400)).toMatchObject({
      admitted: true,
      tokens: 1_000,
    });
  });

  it('settles a reservation to what was actually used, freeing the difference', () => {
    const buckets: Bucket[] = [];
    const limits = { requests: 0, tokens: 1_000 };
    const first = admit(buckets, T0, limits, 900);
    expect(admit(buckets, T0 + 500, limits, 200).admitted).toBe(false);
    settle(buckets, first.second, 50 - first.charge);
    expect(admit(buckets, T0 + 600, limits, 200)).toMatchObject({ admitted: true, tokens: 250 });
    // Spending more than reserved is charged too: the next request waits.
    settle(buckets, first.second, 900);
    expect(admit(buckets, T0 + 700, limits, 10).admitted).toBe(false);
  });

  it('lets a request larger than the whole token budget through on an empty window only', () => {
    const buckets: Bucket[] = [];
    const limits = { requests: 0, tokens: 100 };
    expect(admit(buckets, T0, limits, 5_000)).toMatchObject({ admitted: true, charge: 100 });
    expect(admit(buckets, T0 + 1, limits, 5_000).admitted).toBe(false);
  });

  it('refuses on both policies at once and waits for the later one', () => {
    const buckets: Bucket[] = [];
    const limits = { requests: 2, tokens: 100 };
    admit(buckets, T0, limits, 10);
    admit(buckets, T0 + 20_000, limits, 90);
    const refused = admit(buckets, T0 + 30_000, limits, 50);
    expect(refused).toMatchObject({ requestsExceeded: true, tokensExceeded: true });
    // Requests free up at T0 + 61 s; 50 tokens only once the 90-token admission leaves.
    expect(refused.retryAfterMs).toBe(51_000);
  });

  it('ignores a settlement whose bucket already left the window', () => {
    const buckets: Bucket[] = [];
    const limits = { requests: 0, tokens: 100 };
    const first = admit(buckets, T0, limits, 100);
    admit(buckets, T0 + 70_000, limits, 10);
    settle(buckets, first.second, 1_000);
    expect(admit(buckets, T0 + 70_001, limits, 80)).toMatchObject({ admitted: true, tokens: 90 });
  });
});
