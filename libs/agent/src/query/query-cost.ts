import type { CreateQueryDto } from './create-query.dto.js';
import { DEFAULT_MAX_TOKENS } from './query-limits.js';

/**
 * Tokens to reserve for a query at admission: its max_tokens plus an estimate of the prompt's
 * tokens (about 4 UTF-8 bytes per token). The reservation is replaced by the real tokens_used
 * once the answer is in, so the estimate only has to be cheap: counting with the tokenizer here
 * would tokenize every prompt twice.
 */
export function reserveQueryTokens(body: CreateQueryDto): number {
  return (body.max_tokens ?? DEFAULT_MAX_TOKENS) + Math.ceil(Buffer.byteLength(body.prompt) / 4);
}
