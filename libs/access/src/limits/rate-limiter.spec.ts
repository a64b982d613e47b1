import { describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import { MetricsRegistry } from '@app/platform';
import { AccessMetrics } from '../access.metrics.js';
import { InMemoryRateLimitStore } from './in-memory-rate-limit-store.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { RateLimiter } from './rate-limiter.js';

function make(store: RateLimitStore) {
  const registry = new MetricsRegistry();
  const logger = { info: jest.fn(), warn: jest.fn() };
  const limiter = new RateLimiter(
    store,
    { requests: 2, tokens: 0 },
    new AccessMetrics(registry),
    logger as unknown as PinoLogger,
  );
  return { limiter, logger, registry };
}

describe('RateLimiter', () => {
  it("applies a client's overrides over the defaults", () => {
    const { limiter } = make(new InMemoryRateLimitStore());
    expect(limiter.limitsFor(undefined)).toEqual({ requests: 2, tokens: 0 });
    expect(limiter.limitsFor({ id: 'a', tokensPerMinute: 9 } as never)).toEqual({
      requests: 2,
      tokens: 9,
    });
    expect(limiter.limitsFor({ requestsPerMinute: 0 })).toEqual({ requests: 0, tokens: 0 });
  });

  it('asks nothing when a client has no limits', async () => {
    const store = { admit: jest.fn(), settle: jest.fn() };
    const { limiter } = make(store as unknown as RateLimitStore);
    expect(await limiter.admit('c:a', { requests: 0, tokens: 0 }, 10)).toBeUndefined();
    expect(store.admit).not.toHaveBeenCalled();
  });

  it('fails open when the store fails: counted per request, logged once per state change', async () => {
    let down = true;
    const memory = new InMemoryRateLimitStore();
    const store: RateLimitStore = {
      admit: (...args) => (down ? Promise.reject(new Error('timeout')) : memory.admit(...args)),
      settle: (...args) => memory.settle(...args),
    };
    const { limiter, logger, registry } = make(store);
    const limits = { requests: 1, tokens: 0 };
    for (let i = 0; i < 3; i++) expect(await limiter.admit('c:a', limits, 0)).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(await registry.getSingleMetricAsString('access_rate_limit_fail_open_total')).toMatch(
      / 3$/,
    );
    down = false;
    expect((await limiter.admit('c:a', limits, 0))?.admitted).toBe(true);
    expect((await limiter.admit('c:a', limits, 0))?.admitted).toBe(false);
    expect(logger.info).toHaveBeenCalledTimes(1);
  });
});
