import { Injectable } from '@nestjs/common';
import type { BpeCounter } from './bpe-counter.js';
import { readTiktokenRanks } from './tiktoken-ranks.js';
import { TurnBudget } from './turn-budget.js';

/**
 * Counts tokens with the cl100k_base BPE (GPT-4 / GPT-3.5 family), using gpt-tokenizer's
 * vocabulary (its tiktoken ranks file) and pre-tokenizer with a merge of its own (see
 * BpeCounter): gpt-tokenizer's merge is quadratic in the length of one pre-token and caches up
 * to 100,000 pieces of the texts it has seen. The tables load on first use, so start-up and idle memory stay small; the first
 * query pays the load once.
 *
 * Long texts are counted in slices within one budget of TURN_BUDGET_MS per turn of the event
 * loop, shared by all of them: a few 100 kB prompts of the worst shapes (10–30 ms of CPU each)
 * in flight delay a health probe by a slice or two, not by whole counts.
 */
// Texts up to this length are counted in one go: well under a millisecond.
const UNSLICED_CHARS = 4096;
const TURN_BUDGET_MS = 2;

@Injectable()
export class TokenCounter {
  private counter: BpeCounter | undefined;
  private loading: Promise<BpeCounter> | undefined;
  private readonly budget = new TurnBudget(TURN_BUDGET_MS);

  /** Number of tokens in `text`; special-token markers ("<|endoftext|>") count as plain text. */
  async count(text: string): Promise<number> {
    const counter = this.counter ?? (await this.load());
    if (text.length <= UNSLICED_CHARS) return counter.count(text);
    return this.budget.run(counter.counting(text));
  }

  private load(): Promise<BpeCounter> {
    this.loading ??= Promise.all([
      import('./bpe-counter.js'),
      readTiktokenRanks(),
      import('gpt-tokenizer/encodingParams/constants'),
      import('./cl100k-ascii-split.js'),
    ]).then(([{ BpeCounter }, ranks, { CL100K_TOKEN_SPLIT_REGEX }, { cl100kAsciiPieceEnd }]) => {
      this.counter = new BpeCounter(ranks, CL100K_TOKEN_SPLIT_REGEX, cl100kAsciiPieceEnd);
      return this.counter;
    });
    return this.loading;
  }
}
