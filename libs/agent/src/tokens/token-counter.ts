import { Injectable } from '@nestjs/common';
import type { BpeCounter } from './bpe-counter.js';

/**
 * Counts tokens with the cl100k_base BPE (GPT-4 / GPT-3.5 family), using gpt-tokenizer's
 * vocabulary and pre-tokenizer with a merge of its own (see BpeCounter): gpt-tokenizer's merge
 * is quadratic in the length of one pre-token and caches up to 100,000 pieces of the texts it
 * has seen. The tables load on first use, so start-up and idle memory stay small; the first
 * query pays the load once.
 */
@Injectable()
export class TokenCounter {
  private counter: BpeCounter | undefined;
  private loading: Promise<BpeCounter> | undefined;

  /** Number of tokens in `text`; special-token markers ("<|endoftext|>") count as plain text. */
  async count(text: string): Promise<number> {
    const counter = this.counter ?? (await this.load());
    return counter.count(text);
  }

  private load(): Promise<BpeCounter> {
    this.loading ??= Promise.all([
      import('./bpe-counter.js'),
      import('gpt-tokenizer/bpeRanks/cl100k_base'),
      import('gpt-tokenizer/encodingParams/constants'),
    ]).then(([{ BpeCounter }, ranks, { CL100K_TOKEN_SPLIT_REGEX }]) => {
      this.counter = new BpeCounter(ranks.default, CL100K_TOKEN_SPLIT_REGEX);
      return this.counter;
    });
    return this.loading;
  }
}
