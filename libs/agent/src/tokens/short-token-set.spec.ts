import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ShortTokenSet } from './short-token-set.js';

const latin1 = (bytes: number[]) => String.fromCharCode(...bytes);

describe('ShortTokenSet', () => {
  it('holds exactly what was added, telling lengths and trailing zero bytes apart', () => {
    const set = new ShortTokenSet(8);
    for (const token of ['ab', 'ab\0', 'abcd', 'abcde', 'abcdefghijkl', '\0\0']) set.add(token);
    for (const token of ['ab', 'ab\0', 'abcd', 'abcde', 'abcdefghijkl', '\0\0']) {
      expect(set.has(token)).toBe(true);
    }
    for (const other of ['a', 'ab\0\0', 'abc', 'abcdef', 'abcdefghijk', '\0', '\0\0\0', 'ba']) {
      expect(set.has(other)).toBe(false);
    }
  });

  it('agrees with a Set of the same byte strings, at a full load factor', () => {
    const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.uniqueArray(bytes, { maxLength: 600 }), fc.array(bytes), (added, probed) => {
        const set = new ShortTokenSet(added.length);
        const reference = new Set(added.map(latin1));
        for (const token of reference) set.add(token);
        for (const token of [...added, ...probed].map(latin1)) {
          expect(set.has(token)).toBe(reference.has(token));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reads a piece in place in a longer text as it reads the piece alone', () => {
    const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 });
    const around = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 16 });
    fc.assert(
      fc.property(
        fc.uniqueArray(bytes, { maxLength: 200 }),
        bytes,
        around,
        around,
        (added, probed, before, after) => {
          const set = new ShortTokenSet(added.length + 1);
          const reference = new Set(added.map(latin1));
          for (const token of reference) set.add(token);
          for (const token of [...added.slice(0, 20), probed].map(latin1)) {
            const text = latin1(before) + token + latin1(after);
            const start = before.length;
            expect(set.hasRange(text, start, start + token.length)).toBe(reference.has(token));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses what it cannot hold', () => {
    const set = new ShortTokenSet(1);
    expect(() => set.add('')).toThrow(RangeError);
    expect(() => set.add('x'.repeat(ShortTokenSet.MAX_BYTES + 1))).toThrow(RangeError);
  });
});
