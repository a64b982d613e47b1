import { describe, expect, it } from '@jest/globals';
import { serverTiming } from './server-timing.js';

describe('serverTiming', () => {
  it('names the cache and the upstream with their durations in ms', () => {
    expect(serverTiming({ cacheMs: 0.12345, upstreamMs: 210.5 })).toBe(
      'cache;dur=0.123, upstream;dur=210.5',
    );
    expect(serverTiming({ cacheMs: 1 })).toBe('cache;dur=1');
  });

  it('has nothing to say when neither was consulted', () => {
    expect(serverTiming({})).toBeUndefined();
    expect(serverTiming(undefined)).toBeUndefined();
  });
});
