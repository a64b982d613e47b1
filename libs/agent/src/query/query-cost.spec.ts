import { describe, expect, it } from '@jest/globals';
import { reserveQueryTokens } from './query-cost.js';

describe('reserveQueryTokens', () => {
  it('reserves max_tokens plus ~4 UTF-8 bytes per prompt token', () => {
    expect(reserveQueryTokens({ prompt: 'x'.repeat(40), max_tokens: 50 })).toBe(60);
    expect(reserveQueryTokens({ prompt: 'héllo' })).toBe(100 + 2);
  });
});
