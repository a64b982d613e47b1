import { describe, expect, it } from '@jest/globals';
import { serverTiming } from './server-timing.js';

describe('serverTiming', () => {
  it('names the cache, the upstream and the total with their durations in ms', () => {
    expect(serverTiming({ cacheMs: 0.12345, upstreamMs: 210.5 }, 212.0004)).toBe(
      'cache;dur=0.123, upstream;dur=210.5, total;dur=212',
    );
    expect(serverTiming({ cacheMs: 1 }, 1.5)).toBe('cache;dur=1, total;dur=1.5');
  });

  it('has nothing to say when neither was consulted', () => {
    expect(serverTiming({}, 3)).toBeUndefined();
    expect(serverTiming(undefined, 3)).toBeUndefined();
  });
});
