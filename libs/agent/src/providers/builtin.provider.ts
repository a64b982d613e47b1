import { setTimeout as sleep } from 'node:timers/promises';
import { type TokenCounter } from '../tokens/token-counter.js';
import { builtinAnswer, echoOf } from './builtin-answer.js';

// The echo's cut lives with the echo; existing callers import it from here too.
export { preview } from './builtin-answer.js';
import {
  contextOf,
  messagesOf,
  type Completion,
  type CompletionPart,
  type CompletionRequest,
  type LlmProvider,
} from './llm-provider.js';
import { wordChunks } from './text-chunks.js';

/**
 * The deterministic default provider: answers `Processed: <prompt>` with the prompt cut to its
 * first 100 characters plus `...` when longer, the answer existing clients of `/query` rely on.
 * On `/v1` it also calls tools and follows `response_format` (see builtin-answer.ts).
 */
export class BuiltinProvider implements LlmProvider {
  readonly name = 'builtin';

  constructor(
    private readonly tokens: TokenCounter,
    readonly model = 'builtin-echo',
    private readonly latencyMs = 0,
  ) {}

  async complete(request: CompletionRequest): Promise<Completion> {
    if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal: request.signal });
    return this.answer(request);
  }

  /** Word by word, with the simulated latency spread evenly over the words. */
  async *stream(request: CompletionRequest): AsyncGenerator<CompletionPart> {
    const completion = await this.answer(request);
    const words = wordChunks(completion.text);
    const pause = this.latencyMs / Math.max(1, words.length);
    for (const text of words) {
      if (pause > 0) await sleep(pause, undefined, { signal: request.signal });
      request.signal?.throwIfAborted();
      yield { text };
    }
    yield { completion };
  }

  private async answer(request: CompletionRequest): Promise<Completion> {
    const { text, toolCalls, finishReason } = request.params
      ? builtinAnswer(request)
      : {
          text: echoOf(request.prompt),
          toolCalls: undefined,
          finishReason: 'stop' as const,
        };
    const input = messagesOf(request).map(contextOf).join('\n');
    const output = contextOf({ role: 'assistant', content: text, tool_calls: toolCalls });
    const [promptTokens, completionTokens] = await Promise.all([
      this.tokens.count(input),
      this.tokens.count(output),
    ]);
    return {
      text,
      model: this.model,
      provider: this.name,
      promptTokens,
      completionTokens,
      finishReason,
      ...(toolCalls ? { toolCalls } : {}),
    };
  }
}
