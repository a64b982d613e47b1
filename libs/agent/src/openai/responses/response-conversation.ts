import { HttpStatus } from '@nestjs/common';
import { OpenAiRequestError } from '../openai-error.js';

/** The conversation id of a Responses request (`"conv_…"` or `{"id": "conv_…"}`), if any. */
export function readConversationParam(
  raw: unknown,
  previousResponseId?: string,
): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const id = typeof raw === 'object' ? (raw as { id?: unknown }).id : raw;
  if (typeof id !== 'string' || !id || id.length > 128) {
    throw new OpenAiRequestError('conversation must be an id or {"id": id}', 'conversation');
  }
  if (previousResponseId) {
    throw new OpenAiRequestError(
      'conversation and previous_response_id cannot be used together',
      'conversation',
      null,
      HttpStatus.BAD_REQUEST,
    );
  }
  return id;
}
