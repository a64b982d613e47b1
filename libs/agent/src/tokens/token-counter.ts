import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';

type CountTokens = (text: string) => number;

/**
 * Counts tokens with the o200k_base BPE (GPT-4o family) from gpt-tokenizer. The encoding's
 * tables are loaded after start-up so they never delay the first liveness probe.
 */
@Injectable()
export class TokenCounter implements OnApplicationBootstrap {
  private counter: CountTokens | undefined;
  private loading: Promise<CountTokens> | undefined;

  onApplicationBootstrap(): void {
    void this.load();
  }

  /** Number of tokens in `text`. */
  async count(text: string): Promise<number> {
    const counter = this.counter ?? (await this.load());
    return counter(text);
  }

  private load(): Promise<CountTokens> {
    this.loading ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => {
      this.counter = m.countTokens;
      return m.countTokens;
    });
    return this.loading;
  }
}
