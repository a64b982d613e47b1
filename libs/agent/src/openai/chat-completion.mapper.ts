import type { QueryResult } from '../query/query.service.js';

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };
type Done = Omit<QueryResult, 'response'>;

function usageOf(result: Done): Usage {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.tokensUsed,
  };
}

/**
 * The `chat.completion` object of a finished query. Its id ends with the history record's id.
 * An upstream's own choices go out as it sent them; otherwise the answer fills `n` choices.
 */
export function chatCompletion(result: QueryResult, created: number, n = 1) {
  const message = {
    role: 'assistant' as const,
    // An answer that only calls tools has null content, as OpenAI's.
    content: result.toolCalls && !result.response ? null : result.response,
    refusal: null,
    ...(result.toolCalls ? { tool_calls: result.toolCalls } : {}),
  };
  return {
    id: `chatcmpl-${result.id}`,
    object: 'chat.completion' as const,
    created,
    model: result.model,
    choices:
      result.choices ??
      Array.from({ length: n }, (_, index) => ({
        index,
        message,
        logprobs: null,
        finish_reason: result.finishReason,
      })),
    usage: usageOf(result),
    system_fingerprint: null,
  };
}

/**
 * Builds the `chat.completion.chunk` events of one streamed answer, as OpenAI sends them: the
 * role first, content deltas, a last chunk with the finish reason, then (with
 * `stream_options.include_usage`) a chunk with no choices and the usage; every other chunk then
 * carries `usage: null`.
 */
export class ChunkWriter {
  private opened = false;

  constructor(
    private readonly id: string,
    private readonly created: number,
    private readonly model: string,
    private readonly includeUsage: boolean,
    /** Choices per chunk (`n`): the built-in answer is the same in each. */
    private readonly n = 1,
  ) {}

  /** Chunks for a piece of text (preceded by the role chunk the first time). */
  text(content: string): object[] {
    return [...this.open(), this.chunk({ content }, null)];
  }

  /** The closing chunks: the tool calls (whole, each in one delta), the finish reason, the usage. */
  done(result: Done): object[] {
    const calls = result.toolCalls?.length
      ? [
          this.chunk(
            { tool_calls: result.toolCalls.map((call, index) => ({ index, ...call })) },
            null,
          ),
        ]
      : [];
    const last = this.chunk({}, result.finishReason, result.model);
    const usage = this.includeUsage
      ? [{ ...this.base(result.model), choices: [], usage: usageOf(result) }]
      : [];
    return [...this.open(), ...calls, last, ...usage];
  }

  private open(): object[] {
    if (this.opened) return [];
    this.opened = true;
    return [this.chunk({ role: 'assistant', content: '' }, null)];
  }

  private base(model = this.model) {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model,
      system_fingerprint: null,
    };
  }

  private chunk(delta: object, finishReason: string | null, model?: string) {
    return {
      ...this.base(model),
      choices: Array.from({ length: this.n }, (_, index) => ({
        index,
        delta,
        logprobs: null,
        finish_reason: finishReason,
      })),
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }
}
