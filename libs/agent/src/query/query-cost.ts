import { DEFAULT_MAX_TOKENS, MAX_MAX_TOKENS, MIN_MAX_TOKENS } from './query-limits.js';

/**
 * Tokens to reserve for a query at admission, from its body as parsed (not yet validated):
 * its max_tokens plus an estimate of the prompt's tokens (about 4 UTF-8 bytes per token).
 * The reservation is replaced by the real tokens_used once the answer is in, so the estimate
 * only has to be cheap: counting with the tokenizer here would tokenize every prompt twice.
 */
export function reserveQueryTokens(body: unknown): number {
  const { prompt, max_tokens: maxTokens } = (body ?? {}) as {
    prompt?: unknown;
    max_tokens?: unknown;
  };
  const completion =
    typeof maxTokens === 'number' && Number.isInteger(maxTokens)
      ? Math.min(MAX_MAX_TOKENS, Math.max(MIN_MAX_TOKENS, maxTokens))
      : DEFAULT_MAX_TOKENS;
  const promptTokens = typeof prompt === 'string' ? Math.ceil(Buffer.byteLength(prompt) / 4) : 0;
  return completion + promptTokens;
}
