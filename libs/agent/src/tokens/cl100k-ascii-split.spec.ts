import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CL100K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { adversarialTexts } from './adversarial-texts.js';
import { cl100kAsciiPieceEnd } from './cl100k-ascii-split.js';

/** The pattern's pieces as [start, end] pairs (they tile the text). */
function patternPieces(text: string): [number, number][] {
  const pattern = new RegExp(CL100K_TOKEN_SPLIT_REGEX.source, CL100K_TOKEN_SPLIT_REGEX.flags);
  return [...text.matchAll(pattern)].map((match) => [match.index, match.index + match[0].length]);
}

/** Each of the pattern's pieces, next to what the split says about its start. */
function compared(text: string): { piece: [number, number]; split: number }[] {
  return patternPieces(text).map((piece) => ({
    piece,
    split: cl100kAsciiPieceEnd(text, piece[0]),
  }));
}

/** Every piece it decides ends where the pattern's does. */
function expectSameWhereDecided(text: string): void {
  const differing = compared(text).filter(({ piece, split }) => split !== -1 && split !== piece[1]);
  expect([text, differing]).toEqual([text, []]);
}

// Every char class the pattern tells apart, around each branch of its alternatives.
const ASCII_CHARS = [
  ...'aZsSdDmMtTlLvVeErRq0129\'!.,-_"(){}<>/\\|~`@#$%^&*+=?;:',
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\x00',
  '\x1c',
  '\x1f',
  '\x7f',
];
// Not ASCII: letters, digits, spaces, punctuation and a surrogate pair.
const OTHER_CHARS = ['é', 'Ж', '中', '٣', '²', '\u00a0', '\u2028', '\u3000', '…', '😀', '\u0301'];

describe('cl100kAsciiPieceEnd', () => {
  it('ends every piece of ASCII text where the pattern does, never deferring to it', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ASCII_CHARS), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        const differing = compared(text).filter(({ piece, split }) => split !== piece[1]);
        expect([text, differing]).toEqual([text, []]);
      }),
      { seed: 20_261_207, numRuns: 20_000 },
    );
  });

  it('ends every piece it decides where the pattern does when other chars are mixed in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...ASCII_CHARS, ...OTHER_CHARS), { maxLength: 40 }),
        (chars) => expectSameWhereDecided(chars.join('')),
      ),
      { seed: 20_261_208, numRuns: 20_000 },
    );
  });

  it('defers to the pattern wherever a char it reads is not ASCII', () => {
    // Each would end elsewhere if the char were ASCII: a letter, a digit, a space, punctuation.
    for (const [text, start] of [
      ['abcé', 0],
      [' é', 0],
      ["'é", 0],
      ['12٣', 0],
      ['  \u00a0x', 0],
      ['!!…', 0],
      [' …', 0],
      ['é', 0],
    ] as const) {
      expect([text, cl100kAsciiPieceEnd(text, start)]).toEqual([text, -1]);
    }
  });

  it('decides the pieces of real ASCII text and of every adversarial shape that is ASCII', () => {
    const texts = [
      "I'm sure they'll say we've done it; YOU'RE right, it's 12345678 o'clock.",
      'function add(a, b) {\n    return a + b; // sum\n}\n\n\tconst x = [1, 2, 3];\r\n',
      '   leading and trailing   \n\n\n  \r\n\t\t mixed   whitespace   ',
      ...Object.values(adversarialTexts(2_000)),
    ];
    for (const text of texts) expectSameWhereDecided(text);
  });
});
