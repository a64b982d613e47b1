/** What the agent asks of a language model. */
export interface CompletionRequest {
  prompt: string;
  /** Upper bound on generated tokens. */
  maxTokens: number;
  /** Lets the caller cancel the completion (a provider stops waiting and rejects). */
  signal?: AbortSignal;
}

/** A finished completion with its token accounting. */
export interface Completion {
  text: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

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
}

/** Injection token for the configured {@link LlmProvider}. */
export const LLM_PROVIDER = Symbol('LLM_PROVIDER');
