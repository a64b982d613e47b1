import { describe, expect, it } from '@jest/globals';
import type { Completion, CompletionPart, CompletionRequest, LlmProvider } from './llm-provider.js';
import { ProviderError } from './provider-error.js';
import { RetryingProvider, withRetries } from './retrying-provider.js';

const busy = () => new ProviderError('server_error', 'LLM provider answered with status 503', 0);
const answer: Completion = {
  text: 'ok',
  model: 'm',
  provider: 'p',
  promptTokens: 1,
  completionTokens: 1,
};

/** Fails its first `failures` calls (before any part, or after the first one), then answers. */
class Scripted implements LlmProvider {
  readonly name = 'p';
  readonly model = 'm';
  readonly attempts: (number | undefined)[] = [];

  constructor(
    private failures: number,
    private readonly failAfterFirstPart = false,
    private readonly error: () => Error = busy,
  ) {}

  complete(request: CompletionRequest): Promise<Completion> {
    this.attempts.push(request.attempt);
    return this.failures-- > 0 ? Promise.reject(this.error()) : Promise.resolve(answer);
  }

  async *stream(request: CompletionRequest): AsyncGenerator<CompletionPart> {
    this.attempts.push(request.attempt);
    await Promise.resolve();
    const fails = this.failures-- > 0;
    if (fails && !this.failAfterFirstPart) throw this.error();
    yield { text: 'o' };
    if (fails) throw this.error();
    yield { text: 'k' };
    yield { completion: answer };
  }
}

const drain = async (stream: AsyncIterable<CompletionPart>) => {
  const parts: CompletionPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
};

describe('RetryingProvider', () => {
  it('retries a retryable failure, numbering each attempt', async () => {
    const inner = new Scripted(2);
    await expect(
      new RetryingProvider(inner, 2).complete({ prompt: 'x', maxTokens: 10 }),
    ).resolves.toBe(answer);
    expect(inner.attempts).toEqual([1, 2, 3]);
  });

  it('does not retry what is not retryable', async () => {
    const inner = new Scripted(1, false, () => new ProviderError('timeout', 'too slow'));
    await expect(
      new RetryingProvider(inner, 2).complete({ prompt: 'x', maxTokens: 10 }),
    ).rejects.toMatchObject({ kind: 'timeout' });
    expect(inner.attempts).toEqual([1]);
  });

  it('retries a stream that failed before its first part, and only then', async () => {
    const before = new Scripted(1);
    const parts = await drain(
      new RetryingProvider(before, 2).stream({ prompt: 'x', maxTokens: 10 }),
    );
    expect(parts).toEqual([{ text: 'o' }, { text: 'k' }, { completion: answer }]);
    expect(before.attempts).toEqual([1, 2]);

    const after = new Scripted(1, true);
    await expect(
      drain(new RetryingProvider(after, 2).stream({ prompt: 'x', maxTokens: 10 })),
    ).rejects.toMatchObject({ kind: 'server_error' });
    expect(after.attempts).toEqual([1]);
  });

  it('makes no further attempt once the caller left', async () => {
    const controller = new AbortController();
    const inner = new Scripted(5, false, () => {
      controller.abort();
      return busy();
    });
    await expect(
      new RetryingProvider(inner, 3).complete({
        prompt: 'x',
        maxTokens: 10,
        signal: controller.signal,
      }),
    ).rejects.toBeDefined();
    expect(inner.attempts).toEqual([1]);
  });

  it('leaves a provider without retries as it is', () => {
    const inner = new Scripted(0);
    expect(withRetries(inner, 0)).toBe(inner);
    expect(withRetries(inner, 1)).toBeInstanceOf(RetryingProvider);
  });
});
