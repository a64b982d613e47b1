import { HttpStatus } from '@nestjs/common';
import { OpenAiRequestError } from '../openai-error.js';
import type { OpenAiErrorResponse } from '../openai-api.schemas.js';

/** A missing conversation, or another client's: the same 404. */
export const CONVERSATION_NOT_FOUND: OpenAiErrorResponse = {
  status: 404,
  description:
    'No such conversation (or item) for this client; another client’s ids are not found either',
  message: 'No conversation with this id exists for this client',
  param: 'conversation_id',
  code: 'not_found',
};

export const CONVERSATION_BAD_REQUEST: OpenAiErrorResponse = {
  status: 400,
  description: 'Malformed items or metadata, or items larger than a conversation keeps',
  message: 'these items take 2000000 bytes; a conversation keeps at most 1048576',
  param: 'items',
  code: 'conversation_too_large',
};

export const BODY_TOO_LARGE: OpenAiErrorResponse = {
  status: 413,
  description: 'Body larger than BODY_LIMIT',
  message: 'Request body is larger than the configured limit',
};

export const BAD_PAGE: OpenAiErrorResponse = {
  status: 400,
  description: 'limit out of 1..100, or an order other than asc/desc',
  message: 'limit must be between 1 and 100',
  param: 'limit',
};

export const CONVERSATION_UNAVAILABLE: OpenAiErrorResponse = {
  status: 503,
  description: 'The conversation store (PostgreSQL) cannot be reached',
  message: 'Conversations are temporarily unavailable',
};

export function conversationNotFound(param = 'conversation_id'): OpenAiRequestError {
  return new OpenAiRequestError(
    CONVERSATION_NOT_FOUND.message,
    param,
    'not_found',
    HttpStatus.NOT_FOUND,
  );
}

export function itemNotFound(): OpenAiRequestError {
  return new OpenAiRequestError(
    'No item with this id exists in this conversation',
    'item_id',
    'not_found',
    HttpStatus.NOT_FOUND,
  );
}
