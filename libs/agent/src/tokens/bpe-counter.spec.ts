import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { CL100K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { adversarialTexts } from './adversarial-texts.js';
import { BpeCounter, type BpeRanks } from './bpe-counter.js';
import { cl100kAsciiPieceEnd } from './cl100k-ascii-split.js';
import { readTiktokenRanks } from './tiktoken-ranks.js';

// gpt-tokenizer is the reference: a port of tiktoken, exact but quadratic on long pieces.
const reference = (text: string) => countTokens(text, { disallowedSpecial: new Set() });

describe('BpeCounter', () => {
  let ranks: BpeRanks;
  /** As the service counts: ASCII pieces split without the pattern. */
  let counter: BpeCounter;
  /** Every piece found by the pattern. */
  let patternOnly: BpeCounter;
  /** Both counters' counts, and the generator's: each must be the reference's. */
  const counts = (text: string) => {
    const counting = counter.counting(text);
    let step = counting.next();
    while (!step.done) step = counting.next();
    return [counter.count(text), patternOnly.count(text), step.value];
  };
  const reference3 = (text: string) => [reference(text), reference(text), reference(text)];
  beforeAll(async () => {
    ranks = await readTiktokenRanks();
    counter = new BpeCounter(ranks, CL100K_TOKEN_SPLIT_REGEX, cl100kAsciiPieceEnd);
    patternOnly = new BpeCounter(ranks, CL100K_TOKEN_SPLIT_REGEX);
  });

  it.each([
    ['', 0],
    ['Hello, world', 3],
    ['hello world', 2],
  ])('counts %j as %i tokens', (text, tokens) => {
    expect(counter.count(text)).toBe(tokens);
  });

  it('counts only the pieces a split pattern finds, when its pieces leave gaps', () => {
    // cl100k's pieces tile every text; a pattern that skips characters takes the search path.
    const words = new BpeCounter(ranks, /\p{L}+/gu);
    const text = 'caching, recomputing... and   tokenizers! 42 émigrés';
    const pieces = [...text.matchAll(/\p{L}+/gu)].map(([piece]) => piece);
    const expected = pieces.reduce((sum, piece) => sum + counter.count(piece), 0);
    expect(words.count(text)).toBe(expected);
    const counting = words.counting(`${text} ${'q'.repeat(5000)}`);
    let step = counting.next();
    while (!step.done) step = counting.next();
    expect(step.value).toBe(expected + counter.count('q'.repeat(5000)));
  });

  it('counting() pauses in bounded steps, inside one long pre-token too, and ends at count()', () => {
    for (const text of ['q'.repeat(60_000), 'word '.repeat(12_000)]) {
      const counting = counter.counting(text);
      let pauses = 0;
      let step = counting.next();
      for (; !step.done; step = counting.next()) pauses++;
      expect([pauses >= 20, step.value]).toEqual([true, counter.count(text)]);
    }
    expect(counter.counting('short').next()).toEqual({ done: true, value: 1 });
  });

  it('matches the reference on ordinary text, code, markup and many scripts', () => {
    const samples = [
      'The quick brown fox jumps over the lazy dog. It was the best of times, it was the worst of times.',
      'function add(a, b) {\n    return a + b; // sum\n}\n\n\tconst x = [1, 2, 3].map((n) => n ** 2);',
      '{"prompt": "Summarise this", "max_tokens": 100, "nested": {"a": [true, null, 1.5e10]}}',
      '<html><body><p class="x">Héllo &amp; welcome</p></body></html>',
      'Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich. Donaudampfschifffahrtsgesellschaft.',
      'Съешь же ещё этих мягких французских булок, да выпей чаю.',
      '我能吞下玻璃而不伤身体。日本語のテキストも数えます。한국어 문장도 있습니다.',
      'ภาษาไทยไม่มีการเว้นวรรคระหว่างคำในประโยคเดียวกันซึ่งทำให้ชิ้นส่วนยาวมาก',
      'مرحبا بالعالم، هذا نص عربي. שלום עולם. नमस्ते दुनिया।',
      'Emoji: 😀🎉👍🏽🚀 ❤️‍🔥 👨‍👩‍👧‍👦 flags 🇫🇷🇯🇵',
      "I'm sure they'll say we've done it; YOU'RE right, it's 12345678 o'clock.",
      'https://example.com/path/to/resource?query=value&other=123#fragment',
      'aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQgZW5jb2RlZCBkYXRhIQ==',
      '   leading and trailing   \n\n\n  \r\n\t\t mixed   whitespace   ',
      '<|endoftext|> and <|im_start|> are plain text here',
    ];
    for (const text of samples) expect(counts(text)).toEqual(reference3(text));
  });

  it('matches the reference on pre-tokens around the short/long merge boundary', () => {
    for (const length of [2, 3, 47, 48, 49, 50, 64, 100, 257, 1000]) {
      for (const unit of ['q', 'ab', 'é', '世', ' ', '\n', '!', '😀', 'xyz123']) {
        const text = unit.repeat(length).slice(0, length * unit.length);
        expect([length, unit, counts(text)]).toEqual([length, unit, reference3(text)]);
      }
    }
  });

  it('matches the reference on every adversarial shape (3 kB each)', () => {
    for (const [name, text] of Object.entries(adversarialTexts(3_000))) {
      expect([name, counts(text)]).toEqual([name, reference3(text)]);
    }
  });

  // Speed is checked in a plain Node process (tokenizer.e2e-spec.ts): Jest's sandbox makes
  // typed arrays from the host realm ~100× slower, which would measure the sandbox, not the code.
  it('matches the reference on arbitrary strings', () => {
    const pieces = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.stringMatching(/^[a-z]{40,120}$/),
      fc.stringMatching(/^[ \n\t!0-9]{1,80}$/),
      // Every class the ASCII split tells apart, control chars included, and chars it defers on.
      fc
        .array(fc.constantFrom(..." \n\r\t\v\f'sSlLvVeErRdDmMtTa09!.\x00\x1f\x7f\u00a0é٣…"), {
          maxLength: 60,
        })
        .map((chars) => chars.join('')),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 6 }), (parts) => {
        const text = parts.join('');
        expect(counts(text)).toEqual(reference3(text));
      }),
      { seed: 20_260_101, numRuns: 400 },
    );
  });
});
