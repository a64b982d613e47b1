/** Operator settings of the OpenAI-compatible face. */
export interface OpenAiSettings {
  /** Ceiling on `max_tokens`, and the completion bound of a request that sends none. */
  maxCompletionTokens: number;
}

/** Injection token of the {@link OpenAiSettings}. */
export const OPENAI_SETTINGS = Symbol('OPENAI_SETTINGS');
