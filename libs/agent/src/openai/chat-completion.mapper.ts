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

/** The `chat.completion` object of a finished query. Its id ends with the history record's id. */
export function chatCompletion(result: QueryResult, created: number) {
  return {
    id: `chatcmpl-${result.id}`,
    object: 'chat.completion' as const,
    created,
    model: result.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: result.response, refusal: null },
        logprobs: null,
        finish_reason: result.finishReason,
      },
    ],
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
  ) {}

  /** Chunks for a piece of text (preceded by the role chunk the first time). */
  text(content: string): object[] {
    return [...this.open(), this.chunk({ content }, null)];
  }

  /** The closing chunks. */
  done(result: Done): object[] {
    const last = this.chunk({}, result.finishReason, result.model);
    const usage = this.includeUsage
      ? [{ ...this.base(result.model), choices: [], usage: usageOf(result) }]
      : [];
    return [...this.open(), last, ...usage];
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
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }
}
