import { describe, expect, it } from '@jest/globals';
import { exceedsJsonDepth } from './json-depth.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays alike', () => {
    expect(exceedsJsonDepth(bytes('{"a":[{"b":[1]}]}'), 4)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(exceedsJsonDepth(bytes('[]'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('1'), 0)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(bytes('{"p":"[[[[[{{{{"}'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"p":"\\"[[[[\\\\"}'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"p":"\\\\","q":[[1]]}'), 2)).toBe(true);
  });

  it('measures depth, not the number of siblings', () => {
    expect(exceedsJsonDepth(bytes(`[${'[1],'.repeat(10_000)}[1]]`), 2)).toBe(false);
  });

  it('finds the 100,000-deep body that would overflow a recursive validator', () => {
    expect(exceedsJsonDepth(bytes('['.repeat(100_000) + ']'.repeat(100_000)), 32)).toBe(true);
  });
});
