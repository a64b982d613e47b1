import { Injectable } from '@nestjs/common';

type CountTokens = (text: string) => number;

// Special-token markers in user text ("<|endoftext|>") are counted as plain text, never rejected.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Counts tokens with the cl100k_base BPE (GPT-4 / GPT-3.5 family) from gpt-tokenizer: half the
 * memory and load time of o200k_base. Its tables (~35 MiB) load on first use, so start-up and
 * idle memory stay small; the first query pays the load once.
 */
@Injectable()
export class TokenCounter {
  private counter: CountTokens | undefined;
  private loading: Promise<CountTokens> | undefined;

  /** Number of tokens in `text`. */
  async count(text: string): Promise<number> {
    const counter = this.counter ?? (await this.load());
    return counter(text);
  }

  private load(): Promise<CountTokens> {
    this.loading ??= import('gpt-tokenizer/encoding/cl100k_base').then(({ countTokens }) => {
      const counter: CountTokens = (text) => countTokens(text, AS_PLAIN_TEXT);
      this.counter = counter;
      return counter;
    });
    return this.loading;
  }
}
