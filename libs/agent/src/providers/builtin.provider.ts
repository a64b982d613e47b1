import { setTimeout as sleep } from 'node:timers/promises';
import { type TokenCounter } from '../tokens/token-counter.js';
import type { Completion, CompletionRequest, LlmProvider } from './llm-provider.js';

const PREVIEW_CHARS = 100;

/**
 * The deterministic default provider: answers `Processed: <prompt>` with the prompt cut to its
 * first 100 characters plus `...` when longer, exactly as the original service did.
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
    const text = `Processed: ${preview(request.prompt)}`;
    const [promptTokens, completionTokens] = await Promise.all([
      this.tokens.count(request.prompt),
      this.tokens.count(text),
    ]);
    return { text, model: this.model, promptTokens, completionTokens };
  }
}

/** First 100 characters (code points, as Python slices) plus `...` when the prompt is longer. */
export function preview(prompt: string): string {
  // A string of at most 100 UTF-16 units has at most 100 code points: skip the split.
  if (prompt.length <= PREVIEW_CHARS) return prompt;
  // 100 code points fit in 200 UTF-16 units: split only the head, not a 100 kB prompt (one
  // string per character). Longer than 201 units means more than 100 code points.
  const head = 2 * PREVIEW_CHARS + 1;
  const chars = Array.from(prompt.length > head ? prompt.slice(0, head) : prompt);
  return chars.length <= PREVIEW_CHARS && prompt.length <= head
    ? prompt
    : `${chars.slice(0, PREVIEW_CHARS).join('')}...`;
}
