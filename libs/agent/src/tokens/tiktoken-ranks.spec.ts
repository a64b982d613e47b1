import { describe, expect, it } from '@jest/globals';
import ranks from 'gpt-tokenizer/bpeRanks/cl100k_base';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { CL100K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { adversarialTexts } from './adversarial-texts.js';
import { BpeCounter } from './bpe-counter.js';
import { cl100kAsciiPieceEnd } from './cl100k-ascii-split.js';
import { parseTiktokenRanks, readTiktokenRanks } from './tiktoken-ranks.js';

describe('tiktoken ranks', () => {
  it('reads each token as its bytes (one latin1 char per byte) with its rank', () => {
    // "!", " the", and the two bytes of "é" (0xc3 0xa9).
    const parsed = parseTiktokenRanks('IQ== 0\nIHRoZQ== 1\nw6k= 2\n');
    expect([...parsed]).toEqual([
      ['!', 0],
      [' the', 1],
      ['\u00c3\u00a9', 2],
    ]);
  });

  it.each([
    ['IQ==\n'],
    ['IQ== \n'],
    ['IQ== x\n'],
    ['IQ== -1\n'],
    ['IQ== 0x10\n'],
    ['IQ== 1e3\n'],
    ['IQ== 01\n'],
    ['IQ== 2097152\n'],
    ['!! 0\n'],
    [' 0\n'],
    ['A 0\n'],
  ])('refuses the malformed line %j', (text) => {
    expect(() => parseTiktokenRanks(text)).toThrow('tiktoken ranks: malformed line 1');
  });

  it('names the line of a token or a rank given twice, counting blank lines', () => {
    expect(() => parseTiktokenRanks('\nIQ== 0\n\nIQ== 1\n')).toThrow('malformed line 4');
    expect(() => parseTiktokenRanks('IQ== 0\nIg== 0\n')).toThrow('malformed line 2');
  });

  it("holds gpt-tokenizer's cl100k_base vocabulary, every token with the same rank", async () => {
    const fromFile = await readTiktokenRanks();
    expect(fromFile.size).toBe(ranks.length);
    const mismatches = ranks.filter((token, rank) => {
      const bytes =
        typeof token === 'string'
          ? Buffer.from(token, 'utf8').toString('latin1')
          : String.fromCharCode(...token);
      return fromFile.get(bytes) !== rank;
    });
    expect(mismatches).toEqual([]);
  });

  it('gives a counter that counts as the reference does', async () => {
    const ranks = await readTiktokenRanks();
    const counter = new BpeCounter(ranks, CL100K_TOKEN_SPLIT_REGEX, cl100kAsciiPieceEnd);
    const reference = (text: string) => countTokens(text, { disallowedSpecial: new Set() });
    const texts = [
      'Hello, world',
      'naïve café – 東京 🙂 <|endoftext|>',
      ...Object.values(adversarialTexts(2_000)),
    ];
    for (const text of texts) expect(counter.count(text)).toBe(reference(text));
  });
});
