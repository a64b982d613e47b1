/** A function call the model asked for, as the OpenAI Chat Completions API names it. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One turn of a conversation, as the OpenAI Chat Completions API names it. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  /** The turn's text ('' for an assistant turn that only calls tools). */
  content: string;
  /** An assistant turn's function calls. */
  tool_calls?: ToolCall[];
  /** A tool turn: the call it answers. */
  tool_call_id?: string;
  name?: string;
}

import type { RequestOrigin } from './failure-ledger.js';

/** What the agent asks of a language model. */
export interface CompletionRequest {
  /** The text to answer: the last user turn of {@link messages} when a conversation is given. */
  prompt: string;
  /** The whole conversation; defaults to one user turn holding {@link prompt}. */
  messages?: ChatMessage[];
  /**
   * Upper bound on generated tokens: sent as `max_tokens` on /query; with {@link params}, only
   * the bound the answer's byte limits derive from (the client's own value travels in params).
   */
  maxTokens: number;
  /**
   * OpenAI Chat Completions parameters to forward as given (the `/v1` face): sampling, `tools`,
   * `tool_choice`, `response_format`, `stop`, `n`... validated in shape and size by the caller.
   * An OpenAI-compatible provider then also hands back its upstream's own choices and chunks.
   */
  params?: Readonly<Record<string, unknown>>;
  /** Lets the caller cancel the completion (a provider stops waiting and rejects). */
  signal?: AbortSignal;
  /** Who asked: decides how a failure counts towards the provider's circuit. */
  origin?: RequestOrigin;
  /** Which attempt at the provider this call is, from 1 (set by RetryingProvider). */
  attempt?: number;
}

/** Why generation stopped, in OpenAI's words. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

/** A finished completion with its token accounting. */
export interface Completion {
  text: string;
  model: string;
  /** Id of the provider that produced it (e.g. `openai`, `openai-2`, `builtin`). */
  provider: string;
  promptTokens: number;
  completionTokens: number;
  finishReason?: FinishReason;
  /** The function calls the model asked for (the built-in provider's). */
  toolCalls?: ToolCall[];
  /** An upstream's `choices` as it sent them (with params): n > 1, logprobs, tool calls. */
  choices?: unknown[];
}

/**
 * A piece of a streamed completion: text as it is produced, then the finished completion once.
 * With params, an OpenAI-compatible provider adds each upstream `chunk` as it was sent (its text
 * may then be empty: a tool-call delta, a role or an empty delta).
 */
export type CompletionPart = { text: string; chunk?: object } | { completion: Completion };

/**
 * A language model behind one small interface. Implementations own their transport concerns
 * (timeouts, authentication; retries are RetryingProvider's); the agent only sees completions
 * or errors.
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

/** The text a turn adds to the context: its content and its calls' names and arguments. */
export function contextOf(message: ChatMessage): string {
  const calls = message.tool_calls?.map((c) => `${c.function.name} ${c.function.arguments}`) ?? [];
  return [message.content, ...calls].filter(Boolean).join('\n');
}

/** Injection token for the configured {@link LlmProvider}. */
export const LLM_PROVIDER = Symbol('LLM_PROVIDER');
