/** Operator settings of the OpenAI-compatible face. */
export interface OpenAiSettings {
  /** Ceiling on `max_tokens`, and the completion bound of a request that sends none. */
  maxCompletionTokens: number;
  /** Bytes of conversation `previous_response_id` may carry over (oldest turns dropped first). */
  contextMaxBytes: number;
  /** Bytes of items one conversation keeps (a larger batch is refused). */
  conversationMaxBytes: number;
}

/** Injection token of the {@link OpenAiSettings}. */
export const OPENAI_SETTINGS = Symbol('OPENAI_SETTINGS');
