import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { performance } from 'node:perf_hooks';
import { FailureLedger } from './failure-ledger.js';
import type { Completion, CompletionPart, CompletionRequest, LlmProvider } from './llm-provider.js';
import { isAbort, ProviderError } from './provider-error.js';
import type { CircuitStateName, ProviderLabels, ProviderMetrics } from './provider-metrics.js';

export interface BreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  threshold: number;
  /** How long an open circuit skips the provider before one probe call may pass. */
  halfOpenAfterMs: number;
}

const NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

/** A provider failure the {@link FailureLedger} does not count: the breaker lets it pass. */
class Uncounted extends Error {
  constructor(readonly failure: ProviderError) {
    super(failure.message);
  }
}

/**
 * One member of the provider chain: the provider behind a circuit breaker (cockatiel), with its
 * calls measured. Only provider failures count against the circuit: a rejected request (4xx) or
 * a client that went away says nothing about the provider's health, and the ledger keeps one
 * client's inputs from counting for all. A stream counts as succeeded once its first part
 * arrived.
 */
export class GuardedProvider {
  readonly labels: ProviderLabels;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly ledger: FailureLedger;

  constructor(
    readonly provider: LlmProvider,
    kind: string,
    private readonly metrics: ProviderMetrics,
    options: BreakerOptions,
    onStateChange: (provider: string, state: CircuitStateName) => void = () => undefined,
  ) {
    this.labels = {
      provider: provider.name,
      gen_ai_provider_name: kind,
      gen_ai_request_model: provider.model,
    };
    this.breaker = circuitBreaker(
      handleWhen((e) => e instanceof ProviderError && e.fallsBack),
      {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.threshold),
      },
    );
    this.ledger = new FailureLedger(options.threshold);
    metrics.circuitState(provider.name, 'closed');
    this.breaker.onStateChange((state) => {
      this.ledger.reset();
      metrics.circuitState(provider.name, NAMES[state]);
      onStateChange(provider.name, NAMES[state]);
    });
  }

  get name(): string {
    return this.provider.name;
  }

  /** The breaker's state; an open circuit past its cool-down turns half-open on the next call. */
  get circuit(): CircuitStateName {
    return NAMES[this.breaker.state];
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const started = this.start();
    try {
      const completion = await this.breaker.execute(() =>
        this.counted(request, () => this.provider.complete(request)),
      );
      this.succeeded(started, completion);
      return completion;
    } catch (error) {
      throw this.failed(started, error, request);
    }
  }

  async *stream(request: CompletionRequest): AsyncGenerator<CompletionPart> {
    const started = this.start();
    let iterator: AsyncIterator<CompletionPart>;
    let first: IteratorResult<CompletionPart>;
    try {
      ({ iterator, first } = await this.breaker.execute(() =>
        this.counted(request, async () => {
          const it = this.provider.stream(request)[Symbol.asyncIterator]();
          return { iterator: it, first: await it.next() };
        }),
      ));
    } catch (error) {
      throw this.failed(started, error, request);
    }
    try {
      for (let next = first; !next.done; next = await iterator.next()) {
        if ('completion' in next.value) this.succeeded(started, next.value.completion);
        yield next.value;
      }
    } catch (error) {
      throw this.failed(started, error, request);
    } finally {
      await iterator.return?.(undefined);
    }
  }

  /**
   * Runs a call for the breaker; a failure the ledger does not count leaves it wrapped, which the
   * breaker does not handle. A half-open circuit's probe always counts: it is the test.
   */
  private async counted<T>(request: CompletionRequest, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.ledger.reset();
      return result;
    } catch (error) {
      if (
        error instanceof ProviderError &&
        error.fallsBack &&
        this.breaker.state === CircuitState.Closed &&
        !this.ledger.counts(error, request.origin)
      ) {
        throw new Uncounted(error);
      }
      throw error;
    }
  }

  private start(): number {
    this.metrics.started(this.labels);
    return performance.now();
  }

  private succeeded(started: number, completion: Completion): void {
    const seconds = (performance.now() - started) / 1000;
    this.metrics.succeeded(
      this.labels,
      seconds,
      completion.promptTokens,
      completion.completionTokens,
    );
  }

  /** Records the failure and returns what to throw: a provider error, or the abort as it came. */
  private failed(started: number, error: unknown, request: CompletionRequest): unknown {
    if (error instanceof Uncounted) error = error.failure;
    if (isAbort(error, request.signal)) return error;
    const failure =
      error instanceof BrokenCircuitError
        ? new ProviderError('circuit_open', 'LLM provider is paused after repeated failures')
        : error instanceof ProviderError
          ? error
          : new ProviderError('invalid_response', 'LLM provider failed');
    this.metrics.failed(this.labels, (performance.now() - started) / 1000, failure.kind);
    return failure;
  }
}
