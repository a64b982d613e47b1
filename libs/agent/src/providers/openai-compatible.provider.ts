import type OpenAI from 'openai';
import type { TokenCounter } from '../tokens/token-counter.js';
import { answerBounds, type AnswerBoundSettings } from './answer-bounds.js';
import {
  contextOf,
  messagesOf,
  type ChatMessage,
  type Completion,
  type CompletionPart,
  type CompletionRequest,
  type FinishReason,
  type LlmProvider,
} from './llm-provider.js';
import { linkedAbort } from './linked-abort.js';
import { isAbort, ProviderError } from './provider-error.js';
import { UpstreamClient } from './upstream-client.js';

export interface OpenAiCompatibleOptions {
  /** Provider id in responses, metrics and /ready (`openai`, `openai-2`, ...). */
  id?: string;
  /** Base URL up to the API version, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Budget for one attempt until the first byte, and for each pause between streamed chunks. */
  timeoutMs: number;
  /** Byte bounds on each answer (see answer-bounds.ts); the service's defaults when absent. */
  bounds?: AnswerBoundSettings;
}

const DEFAULT_BOUNDS: AnswerBoundSettings = {
  maxAnswerBytes: 4 * 1024 ** 2,
  maxEventBytes: 256 * 1024,
};

/**
 * Any server speaking the OpenAI Chat Completions API (OpenAI, vLLM, Ollama, LiteLLM, another
 * instance of this service), over {@link UpstreamClient}. One call is one attempt: retries are
 * RetryingProvider's (a timed-out generation may still be running, and billed, upstream), so
 * that each attempt is traced on its own. The SDK's types describe the wire shapes.
 */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  private readonly client: UpstreamClient;

  constructor(
    private readonly options: OpenAiCompatibleOptions,
    private readonly tokens: TokenCounter,
  ) {
    this.name = options.id ?? 'openai';
    this.model = options.model;
    this.client = new UpstreamClient(options.baseUrl, options.apiKey);
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const body = (await this.attempt(request, (signal) =>
      this.client.json(this.body(request), signal, this.bounds(request)),
    )) as Partial<OpenAI.ChatCompletion> | null;
    if (typeof body !== 'object' || body === null || !Array.isArray(body.choices)) {
      throw new ProviderError('invalid_response', 'LLM provider sent no completion');
    }
    const message = body.choices?.[0]?.message;
    // An answer that only calls tools has no content.
    const text = Array.isArray(message?.tool_calls) ? (message.content ?? '') : message?.content;
    if (typeof text !== 'string') {
      throw new ProviderError('invalid_response', 'LLM provider sent no completion');
    }
    const completion = await this.finish(
      request,
      text,
      body.model,
      body.usage,
      body.choices[0]?.finish_reason,
    );
    // On /v1 the client gets the upstream's choices as sent (tool calls, n > 1, logprobs).
    return request.params ? { ...completion, choices: body.choices } : completion;
  }

  /**
   * The upstream request: on /query the prompt and its `max_tokens`; on /v1 the client's
   * parameters as given (no `max_tokens` unless the client sent one).
   */
  private body(request: CompletionRequest): Record<string, unknown> {
    const messages = messagesOf(request).map(wireMessage);
    return request.params
      ? { ...request.params, model: this.model, messages }
      : { model: this.model, messages, max_tokens: request.maxTokens };
  }

  async *stream(request: CompletionRequest): AsyncGenerator<CompletionPart> {
    // Stops the upstream stream when a pause between chunks is too long, when it is over, or
    // when the caller's signal aborts (the attempt's budget follows that only until the headers).
    const { controller, release } = linkedAbort(request.signal);
    let idle: NodeJS.Timeout | undefined;
    let idledOut = false;
    try {
      const stream = await this.attempt(request, (signal) =>
        this.client.events(
          {
            ...this.body(request),
            stream: true,
            // Always asked for: the usage settles the client's token budget.
            stream_options: { include_usage: true },
          },
          AbortSignal.any([signal, controller.signal]),
          this.bounds(request),
        ),
      );
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          idledOut = true;
          controller.abort();
        }, this.options.timeoutMs);
      };
      let text = '';
      let model: string | undefined;
      let usage: OpenAI.CompletionUsage | undefined;
      let finish: string | null | undefined;
      // Only the upstream's pauses are timed: while the caller digests a part (a client that
      // reads slowly, say), the clock is stopped.
      arm();
      for await (const data of stream) {
        clearTimeout(idle);
        const chunk = data as Partial<OpenAI.ChatCompletionChunk>;
        model ??= chunk.model;
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finish = choice.finish_reason;
        const delta = choice?.delta?.content;
        const piece = typeof delta === 'string' ? delta : '';
        text += piece;
        // On /v1 every chunk goes on as the upstream sent it; /query needs only the text.
        if (request.params) yield { text: piece, chunk };
        else if (piece.length > 0) yield { text: piece };
        arm();
      }
      clearTimeout(idle);
      // A stream the caller aborted may end quietly: that is the caller's doing, not a cut.
      request.signal?.throwIfAborted();
      // A stream that ends without a finish reason was cut, not completed.
      if (!finish) throw new ProviderError('interrupted', 'LLM provider stream ended early');
      yield { completion: await this.finish(request, text, model, usage, finish) };
    } catch (error) {
      // An aborted stream may end quietly or throw: the pause budget decides what it was.
      if (idledOut) throw timedOut();
      if (error instanceof ProviderError) throw error;
      if (isAbort(error, request.signal)) throw error;
      throw new ProviderError('interrupted', 'LLM provider sent an invalid answer');
    } finally {
      clearTimeout(idle);
      controller.abort();
      release();
    }
  }

  /** The answer's byte bounds, from its `max_tokens`. */
  private bounds(request: CompletionRequest) {
    return answerBounds(request.maxTokens, this.options.bounds ?? DEFAULT_BOUNDS);
  }

  /**
   * One call within the attempt's budget; every failure becomes a {@link ProviderError}, aborts
   * stay aborts. The budget ends when the call resolves: for a stream, once the headers arrived.
   */
  private async attempt<T>(
    request: CompletionRequest,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    request.signal?.throwIfAborted();
    // Aborted by the caller's signal too, until the call is over.
    const { controller: budget, release } = linkedAbort(request.signal);
    const timer = setTimeout(() => budget.abort(), this.options.timeoutMs);
    try {
      return await call(budget.signal);
    } catch (error) {
      if (request.signal?.aborted) throw error;
      if (budget.signal.aborted) {
        throw timedOut();
      }
      if (error instanceof ProviderError) throw error;
      throw new ProviderError('invalid_response', 'LLM provider sent an invalid answer');
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private async finish(
    request: CompletionRequest,
    text: string,
    model: string | undefined,
    usage: OpenAI.CompletionUsage | null | undefined,
    finishReason: string | null | undefined,
  ): Promise<Completion> {
    // Servers that report no usage get the local tokenizer's count instead (the prompt's text is
    // joined only then).
    const promptTokens =
      count(usage?.prompt_tokens) ??
      (await this.tokens.count(messagesOf(request).map(contextOf).join('\n')));
    return {
      text,
      model: typeof model === 'string' && model ? model.slice(0, 128) : this.model,
      provider: this.name,
      promptTokens,
      completionTokens:
        plausible(count(usage?.completion_tokens), text) ?? (await this.tokens.count(text)),
      finishReason: finishReasonOf(finishReason),
    };
  }
}

/** What every exceeded budget is: ours, or between chunks. */
function timedOut(): ProviderError {
  return new ProviderError('timeout', 'LLM provider did not answer in time');
}

/** A token count from the server, if it is one. */
function count(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

/**
 * A reported completion count the text could have: no tokenizer in use packs more than
 * {@link MAX_CHARS_PER_TOKEN} characters into a token on average, so a server claiming fewer
 * tokens than that for its text is not believed, and the text is counted here instead.
 */
function plausible(tokens: number | undefined, text: string): number | undefined {
  return tokens !== undefined && text.length <= (tokens + 1) * MAX_CHARS_PER_TOKEN
    ? tokens
    : undefined;
}
const MAX_CHARS_PER_TOKEN = 32;

function finishReasonOf(value: string | null | undefined): FinishReason {
  return value === 'length' || value === 'content_filter' || value === 'tool_calls'
    ? value
    : 'stop';
}

/** A turn as the Chat Completions API takes it: an assistant turn that only calls tools has null content. */
function wireMessage(
  message: ChatMessage,
): ChatMessage | (Omit<ChatMessage, 'content'> & { content: null }) {
  return message.tool_calls?.length && message.content === ''
    ? { ...message, content: null }
    : message;
}
