import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TOKENS = new URL('../../../dist/libs/agent/src/tokens/', import.meta.url);

// Runs in a plain Node process on the built code: Jest's sandbox slows typed arrays ~100×.
const SCRIPT = `
const { BpeCounter } = await import(${JSON.stringify(new URL('bpe-counter.js', TOKENS).href)});
const { adversarialTexts } = await import(${JSON.stringify(new URL('adversarial-texts.js', TOKENS).href)});
const { readTiktokenRanks } = await import(${JSON.stringify(new URL('tiktoken-ranks.js', TOKENS).href)});
const ranks = await readTiktokenRanks();
const { CL100K_TOKEN_SPLIT_REGEX } = await import('gpt-tokenizer/encodingParams/constants');
const { cl100kAsciiPieceEnd } = await import(${JSON.stringify(new URL('cl100k-ascii-split.js', TOKENS).href)});
const counter = new BpeCounter(ranks, CL100K_TOKEN_SPLIT_REGEX, cl100kAsciiPieceEnd);
const cpuMs = (text) => {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = process.cpuUsage();
    counter.count(text);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
};
const small = adversarialTexts(10000);
const large = adversarialTexts(100000);
const result = {};
for (const name of Object.keys(large)) result[name] = { small: cpuMs(small[name]), large: cpuMs(large[name]) };
process.stdout.write(JSON.stringify(result));
`;

/** Token counting stays near-linear on the shapes that made the reference quadratic. */
describe('token counting cost', () => {
  it('grows about tenfold, not a hundredfold, from 10 kB to 100 kB of every adversarial shape', () => {
    if (!existsSync(fileURLToPath(new URL('bpe-counter.js', TOKENS))))
      throw new Error('dist/ is missing: run "npm run build" before the e2e suites');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const costs = JSON.parse(out) as Record<string, { small: number; large: number }>;
    expect(Object.keys(costs).length).toBeGreaterThanOrEqual(14);
    for (const [name, { small, large }] of Object.entries(costs)) {
      // 10× the input: ~10-17× for O(n log n); the quadratic reference took ~100×. The floor
      // keeps timer granularity on tiny costs from inflating the ratio.
      expect([name, large / Math.max(small, 0.5) < 40]).toEqual([name, true]);
    }
  });
});
