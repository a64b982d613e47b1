import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';

/** A completion's share of the admission estimate when the client sets no max_tokens. */
const RESERVE_COMPLETION = 1000;
/** The estimate's cap: the reservation is replaced by the tokens used once the answer is done. */
const RESERVE_COMPLETION_MAX = 4096;

/** Tokens reserved at admission: the completion bound plus ~4 bytes per token of the messages. */
export function reserveChatTokens(body: ChatCompletionRequestDto): number {
  const bound = body.max_completion_tokens ?? body.max_tokens ?? RESERVE_COMPLETION;
  const completion = Math.min(RESERVE_COMPLETION_MAX, Math.max(1, Math.trunc(bound) || 1));
  const bytes = Array.isArray(body.messages) ? Buffer.byteLength(JSON.stringify(body.messages)) : 0;
  return completion + Math.ceil(bytes / 4);
}
