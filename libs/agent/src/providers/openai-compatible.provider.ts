import { HttpStatus } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProblemException } from '@app/platform';
import type { TokenCounter } from '../tokens/token-counter.js';
import type { Completion, CompletionRequest, LlmProvider } from './llm-provider.js';

export interface OpenAiCompatibleOptions {
  /** Base URL up to the API version, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Budget for one attempt. */
  timeoutMs: number;
  /** Extra attempts after a network error, 429 or 5xx. */
  maxRetries: number;
}

interface ChatCompletionBody {
  model?: string;
  choices?: { message?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 5_000;

/** Any server speaking the OpenAI Chat Completions API (OpenAI, vLLM, Ollama, LiteLLM...). */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name = 'openai';
  readonly model: string;
  private readonly url: string;

  constructor(
    private readonly options: OpenAiCompatibleOptions,
    private readonly tokens: TokenCounter,
  ) {
    this.model = options.model;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(request);
      if ('completion' in outcome) return outcome.completion;
      if (!outcome.retryable || attempt >= this.options.maxRetries || request.signal?.aborted) {
        throw outcome.error;
      }
      const backoff = outcome.retryAfterMs ?? Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt);
      await sleep(backoff * (0.5 + Math.random() / 2), undefined, { signal: request.signal });
    }
  }

  private async attempt(
    request: CompletionRequest,
  ): Promise<
    | { completion: Completion }
    | { error: ProblemException; retryable: boolean; retryAfterMs?: number }
  > {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.model,
          messages: [{ role: 'user', content: request.prompt }],
          max_tokens: request.maxTokens,
        }),
      });
    } catch {
      const timedOut = timeout.aborted;
      return {
        // A timed-out generation may still run (and be billed) upstream: do not start another.
        retryable: !timedOut,
        error: new ProblemException(
          timedOut ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.BAD_GATEWAY,
          timedOut ? 'LLM provider did not answer in time' : 'LLM provider is unreachable',
        ),
      };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return {
        retryable: RETRYABLE.has(response.status),
        retryAfterMs: retryAfter(response.headers.get('retry-after')),
        error: new ProblemException(
          HttpStatus.BAD_GATEWAY,
          `LLM provider answered with status ${response.status}`,
        ),
      };
    }
    const body = (await response.json().catch(() => ({}))) as ChatCompletionBody;
    const text = body.choices?.[0]?.message?.content;
    if (typeof text !== 'string') {
      return {
        retryable: false,
        error: new ProblemException(HttpStatus.BAD_GATEWAY, 'LLM provider sent no completion'),
      };
    }
    // Servers that report no usage get the local tokenizer's count instead.
    return {
      completion: {
        text,
        model: typeof body.model === 'string' && body.model ? body.model.slice(0, 128) : this.model,
        promptTokens: count(body.usage?.prompt_tokens) ?? (await this.tokens.count(request.prompt)),
        completionTokens: count(body.usage?.completion_tokens) ?? (await this.tokens.count(text)),
      },
    };
  }
}

/** A token count from the server, if it is one. */
function count(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

function retryAfter(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0
    ? Math.min(seconds * 1000, MAX_BACKOFF_MS)
    : undefined;
}
