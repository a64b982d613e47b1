import { describe, expect, it } from '@jest/globals';
import { reserveQueryTokens } from './query-cost.js';

describe('reserveQueryTokens', () => {
  it('reserves max_tokens plus about a token per 4 bytes of prompt', () => {
    expect(reserveQueryTokens({ prompt: 'x'.repeat(40), max_tokens: 50 })).toBe(60);
    expect(reserveQueryTokens({ prompt: 'héllo' })).toBe(100 + 2);
  });

  it('accepts anything, since it runs before validation', () => {
    expect(reserveQueryTokens(undefined)).toBe(100);
    expect(reserveQueryTokens(null)).toBe(100);
    expect(reserveQueryTokens({ prompt: 42, max_tokens: '7' })).toBe(100);
    expect(reserveQueryTokens({ prompt: '', max_tokens: 1.5 })).toBe(100);
    expect(reserveQueryTokens({ prompt: '', max_tokens: 1e9 })).toBe(2000);
    expect(reserveQueryTokens({ prompt: '', max_tokens: 1 })).toBe(10);
  });
});
