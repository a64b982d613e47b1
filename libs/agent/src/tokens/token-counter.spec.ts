import { describe, expect, it } from '@jest/globals';
import { TokenCounter } from './token-counter.js';

describe('TokenCounter', () => {
  const counter = new TokenCounter();

  it('counts BPE tokens, not words', async () => {
    expect(await counter.count('Hello, world')).toBe(3);
    expect(await counter.count('antidisestablishmentarianism')).toBeGreaterThan(1);
    expect(await counter.count('')).toBe(0);
  });

  it('counts special-token markers in user text as plain text instead of throwing', async () => {
    expect(await counter.count('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('shares one load between concurrent callers', async () => {
    const fresh = new TokenCounter();
    const counts = await Promise.all([fresh.count('a b'), fresh.count('a b')]);
    expect(counts).toEqual([2, 2]);
  });
});
