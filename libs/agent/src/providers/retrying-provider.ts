import { DelegateBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import type { Completion, CompletionPart, CompletionRequest, LlmProvider } from './llm-provider.js';
import { ProviderError } from './provider-error.js';

/** The longest pause between two attempts, whatever the upstream asks for. */
export const MAX_BACKOFF_MS = 5_000;

/**
 * A provider whose retryable failures (network errors, 429, 5xx: see ProviderError.retryable)
 * are tried again, up to `maxRetries` more times, after the delay the upstream asked for
 * (Retry-After) or an exponential backoff with jitter. Each attempt is one call of the inner
 * provider, with `attempt` set on its request, so what wraps the inner provider (tracing) sees
 * every attempt as a call of its own. A stream is retried only until its first part: after
 * that the caller has seen output.
 */
export class RetryingProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly inner: LlmProvider,
    maxRetries: number,
  ) {
    this.name = inner.name;
    this.model = inner.model;
    this.policy = retry(
      handleWhen((error) => error instanceof ProviderError && error.retryable),
      {
        maxAttempts: maxRetries,
        backoff: new DelegateBackoff((context) => {
          const asked = 'error' in context.result ? retryAfterOf(context.result.error) : undefined;
          const exponential = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (context.attempt - 1));
          return (asked ?? exponential) * (0.5 + Math.random() / 2);
        }),
      },
    );
  }

  complete(request: CompletionRequest): Promise<Completion> {
    return this.attempts(request, (attempt) => this.inner.complete(attempt));
  }

  async *stream(request: CompletionRequest): AsyncGenerator<CompletionPart> {
    const { iterator, first } = await this.attempts(request, async (attempt) => {
      const it = this.inner.stream(attempt)[Symbol.asyncIterator]();
      try {
        return { iterator: it, first: await it.next() };
      } catch (error) {
        await it.return?.(undefined);
        throw error;
      }
    });
    try {
      for (let next = first; !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.(undefined);
    }
  }

  private attempts<T>(
    request: CompletionRequest,
    call: (attempt: CompletionRequest) => Promise<T>,
  ): Promise<T> {
    return this.policy.execute(async ({ attempt }) => {
      // A caller that left during the pause gets no further attempt.
      request.signal?.throwIfAborted();
      return call({ ...request, attempt: attempt + 1 });
    }, request.signal);
  }
}

/** `provider` with retries, or as it is when none are configured. */
export function withRetries(provider: LlmProvider, maxRetries: number): LlmProvider {
  return maxRetries > 0 ? new RetryingProvider(provider, maxRetries) : provider;
}

function retryAfterOf(error: unknown): number | undefined {
  return error instanceof ProviderError ? error.retryAfterMs : undefined;
}
