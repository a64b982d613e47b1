import { describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TokenCounter } from './token-counter.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

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

  it('counts a long text in slices, letting other work run between them', async () => {
    await counter.count('warm up the tables first');
    const text = 'q'.repeat(100_000); // one pre-token: the largest unsliceable unit of the reference
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const tokens = await counter.count(text);
    counting = false;
    expect(tokens).toBe(50_000);
    expect(turns).toBeGreaterThanOrEqual(2);
  });

  it('keeps nothing of the texts it counted: memory is flat after many distinct prompts', async () => {
    await counter.count('warm up the tables first');
    const before = heapAfterGc();
    // 40 distinct ~50 kB prompts of 200,000 distinct words: a cache of pieces would keep ~10 MB.
    let seed = 7;
    const word = () => {
      let w = ' ';
      for (let i = 0; i < 9; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
        w += String.fromCharCode(97 + (seed % 26));
      }
      return w;
    };
    for (let p = 0; p < 40; p++) {
      await counter.count(Array.from({ length: 5_000 }, word).join(''));
    }
    const grownMb = (heapAfterGc() - before) / 1024 / 1024;
    expect(grownMb).toBeLessThan(2);
  });
});
