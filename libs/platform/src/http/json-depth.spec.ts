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

  it('ends a string only at a quote after an even run of backslashes', () => {
    expect(exceedsJsonDepth(bytes('{"p":"\\\\\\"[[[["}'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"p":"\\\\\\\\","q":[[1]]}'), 2)).toBe(true);
    expect(exceedsJsonDepth(bytes(`{"p":"${'\\"'.repeat(50_000)}[[["}`), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes(`["${'a'.repeat(100_000)}",[[1]]]`), 2)).toBe(true);
  });

  it('leaves an unterminated string to the parser', () => {
    expect(exceedsJsonDepth(bytes('{"p":"[[[[[\\"'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('[[["'), 2)).toBe(true);
  });

  it('agrees with a byte-by-byte scan on random texts of brackets, quotes and backslashes', () => {
    const alphabet = '[]{}"\\a';
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let run = 0; run < 2_000; run++) {
      let text = '';
      for (let i = Math.floor(random() * 40); i > 0; i--) {
        text += alphabet[Math.floor(random() * alphabet.length)];
      }
      for (const maxDepth of [0, 1, 2, 3]) {
        expect([text, maxDepth, exceedsJsonDepth(bytes(text), maxDepth)]).toEqual([
          text,
          maxDepth,
          scannedByteByByte(bytes(text), maxDepth),
        ]);
      }
    }
  });

  it('measures depth, not the number of siblings', () => {
    expect(exceedsJsonDepth(bytes(`[${'[1],'.repeat(10_000)}[1]]`), 2)).toBe(false);
  });

  it('finds the 100,000-deep body that would overflow a recursive validator', () => {
    expect(exceedsJsonDepth(bytes('['.repeat(100_000) + ']'.repeat(100_000)), 32)).toBe(true);
  });
});

/** The same decision, one byte at a time: the reference for the random texts. */
function scannedByteByByte(text: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = String.fromCharCode(text[i]);
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      if (++depth > maxDepth) return true;
    } else if (char === ']' || char === '}') {
      depth--;
    }
  }
  return false;
}
