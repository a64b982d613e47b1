/** One turn of a conversation, as the OpenAI Chat Completions API names it. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}

import type { RequestOrigin } from './failure-ledger.js';

/** What the agent asks of a language model. */
export interface CompletionRequest {
  /** The text to answer: the last user turn of {@link messages} when a conversation is given. */
  prompt: string;
  /** The whole conversation; defaults to one user turn holding {@link prompt}. */
  messages?: ChatMessage[];
  /** Upper bound on generated tokens. */
  maxTokens: number;
  /** Lets the caller cancel the completion (a provider stops waiting and rejects). */
  signal?: AbortSignal;
  /** Who asked: decides how a failure counts towards the provider's circuit. */
  origin?: RequestOrigin;
}

/** Why generation stopped, in OpenAI's words. */
export type FinishReason = 'stop' | 'length' | 'content_filter';

/** A finished completion with its token accounting. */
export interface Completion {
  text: string;
  model: string;
  /** Id of the provider that produced it (e.g. `openai`, `openai-2`, `builtin`). */
  provider: string;
  promptTokens: number;
  completionTokens: number;
  finishReason?: FinishReason;
}

/** A piece of a streamed completion: text as it is produced, then the finished completion once. */
export type CompletionPart = { text: string } | { completion: Completion };

/**
 * A language model behind one small interface. Implementations own their transport concerns
 * (timeouts, retries, authentication); the agent only sees completions or errors.
 */
export interface LlmProvider {
  /** Stable provider id, e.g. `builtin` or `openai`. */
  readonly name: string;
  /** Model used when the request does not name one. */
  readonly model: string;
  complete(request: CompletionRequest): Promise<Completion>;
  /**
   * Streams the completion: text parts as produced, then exactly one `{ completion }` part whose
   * text is the concatenation of the parts. Errors before the first part mean nothing was produced.
   */
  stream(request: CompletionRequest): AsyncIterable<CompletionPart>;
}

/** The conversation of a request (one user turn when only a prompt is given). */
export function messagesOf(request: CompletionRequest): ChatMessage[] {
  return request.messages ?? [{ role: 'user', content: request.prompt }];
}

/** Injection token for the configured {@link LlmProvider}. */
export const LLM_PROVIDER = Symbol('LLM_PROVIDER');
