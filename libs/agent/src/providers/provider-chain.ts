import type { Completion, CompletionPart, CompletionRequest, LlmProvider } from './llm-provider.js';
import { isAbort, ProviderError } from './provider-error.js';
import type { GuardedProvider } from './guarded-provider.js';
import type { ProviderMetrics } from './provider-metrics.js';

/**
 * The configured provider followed by its fallbacks, in order. A failed attempt (connection
 * error, 5xx, timeout, 429 after its retries, open circuit) moves to the next member; a stream
 * moves on only while nothing has been produced, so a client never receives two answers mixed.
 */
export class ProviderChain implements LlmProvider {
  readonly name: string;
  readonly model: string;

  constructor(
    readonly members: GuardedProvider[],
    private readonly metrics: ProviderMetrics,
  ) {
    if (members.length === 0) throw new Error('a provider chain needs at least one provider');
    this.name = members[0].name;
    this.model = members[0].provider.model;
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    let lastError: unknown;
    for (const [index, member] of this.members.entries()) {
      try {
        return await member.complete(request);
      } catch (error) {
        lastError = error;
        if (!this.canFallBack(error, request, index)) break;
      }
    }
    throw lastError;
  }

  async *stream(request: CompletionRequest): AsyncGenerator<CompletionPart> {
    for (const [index, member] of this.members.entries()) {
      const iterator = member.stream(request);
      let first: IteratorResult<CompletionPart>;
      try {
        first = await iterator.next();
      } catch (error) {
        if (this.canFallBack(error, request, index)) continue;
        throw error;
      }
      // Committed to this member: from here on a failure is the stream's, not a reason to switch.
      try {
        for (let next = first; !next.done; next = await iterator.next()) yield next.value;
      } finally {
        await iterator.return(undefined);
      }
      return;
    }
  }

  private canFallBack(error: unknown, request: CompletionRequest, index: number): boolean {
    const next = index + 1 < this.members.length;
    const eligible =
      next && !isAbort(error, request.signal) && error instanceof ProviderError && error.fallsBack;
    if (eligible) this.metrics.fellBack(this.members[index].name);
    return eligible;
  }
}
