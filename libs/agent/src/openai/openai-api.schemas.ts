import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

// OpenAPI schemas of the /v1 bodies, which follow OpenAI's shapes (not this service's
// snake_case DTOs): written as schemas, since no class produces them.

const USAGE: SchemaObject = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: {
    prompt_tokens: { type: 'integer', minimum: 0 },
    completion_tokens: { type: 'integer', minimum: 0 },
    total_tokens: { type: 'integer', minimum: 0 },
  },
};

const FINISH_REASON: SchemaObject = {
  type: 'string',
  enum: ['stop', 'length', 'content_filter', 'tool_calls'],
};

/** A function call the model asks for. */
export const TOOL_CALL_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'type', 'function'],
  properties: {
    id: { type: 'string', example: 'call_0b9f4c1e5d2a4f438a8e3c1d' },
    type: { type: 'string', enum: ['function'] },
    function: {
      type: 'object',
      required: ['name', 'arguments'],
      properties: {
        name: { type: 'string', example: 'get_weather' },
        arguments: { type: 'string', description: 'JSON text.', example: '{"city":"Oslo"}' },
      },
    },
  },
};

export const CHAT_COMPLETION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'object', 'created', 'model', 'choices', 'usage'],
  properties: {
    id: { type: 'string', example: 'chatcmpl-0b9f4c1e-5d2a-4f43-8a8e-3c1d2e4f5a6b' },
    object: { type: 'string', enum: ['chat.completion'] },
    created: { type: 'integer', description: 'Unix time in seconds.' },
    model: { type: 'string', example: 'builtin-echo' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'message', 'finish_reason'],
        properties: {
          index: { type: 'integer', minimum: 0 },
          message: {
            type: 'object',
            required: ['role', 'content'],
            description:
              "An OpenAI-compatible upstream's message is forwarded as it sent it (it may carry more fields).",
            properties: {
              role: { type: 'string', enum: ['assistant'] },
              content: {
                type: 'string',
                nullable: true,
                description: 'null when only tools are called.',
              },
              refusal: { type: 'string', nullable: true },
              tool_calls: { type: 'array', items: TOOL_CALL_SCHEMA },
            },
            additionalProperties: true,
          },
          logprobs: { type: 'object', nullable: true },
          finish_reason: FINISH_REASON,
        },
      },
    },
    usage: USAGE,
    system_fingerprint: { type: 'string', nullable: true },
  },
};

export const MODEL_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'object', 'created', 'owned_by'],
  properties: {
    id: { type: 'string', example: 'builtin-echo' },
    object: { type: 'string', enum: ['model'] },
    created: { type: 'integer', description: 'Unix time in seconds.' },
    owned_by: { type: 'string', example: 'builtin' },
  },
};

export const MODEL_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['object', 'data'],
  properties: {
    object: { type: 'string', enum: ['list'] },
    data: { type: 'array', items: MODEL_SCHEMA },
  },
};

/** OpenAI's error body, which the official SDKs turn into their error classes. */
export const OPENAI_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'param', 'code'],
      properties: {
        message: { type: 'string' },
        type: {
          type: 'string',
          enum: ['invalid_request_error', 'permission_error', 'rate_limit_error', 'server_error'],
        },
        param: { type: 'string', nullable: true },
        code: { type: 'string', nullable: true },
      },
    },
  },
};

export interface OpenAiErrorResponse {
  status: number;
  description: string;
  message: string;
  type?: string;
  param?: string | null;
  code?: string | null;
  headers?: Record<string, { required?: boolean; description?: string; schema: SchemaObject }>;
}

const RETRY_AFTER = {
  required: true,
  description: 'Seconds to wait.',
  schema: { type: 'integer', minimum: 0 },
};

/** The access layer's refusals, which the /v1 filter renders in OpenAI's shape too. */
export const OPENAI_ACCESS_ERRORS: OpenAiErrorResponse[] = [
  {
    status: 401,
    description: 'Keys are configured and the request has none, or an unknown one',
    message: 'A valid API key is required (Authorization: Bearer <key> or X-API-Key: <key>)',
    code: 'invalid_api_key',
    headers: { 'WWW-Authenticate': { required: true, schema: { type: 'string' } } },
  },
  {
    status: 429,
    description:
      'Over the per-minute request or token budget, or a token budget per day, month or rolling window (Retry-After: until that window resets)',
    message: 'Rate limit exceeded: requests per minute',
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    headers: { 'Retry-After': RETRY_AFTER },
  },
  {
    status: 503,
    description: 'MAX_IN_FLIGHT requests are already running on this replica',
    message: 'The service is at capacity; retry shortly',
    headers: { 'Retry-After': RETRY_AFTER },
  },
];

/**
 * Declares a /v1 route's errors in OpenAI's shape (`application/json`), as the route's filter
 * sends them. Give the 500 too: the platform's default 500 is a problem document.
 */
export function ApiOpenAiErrors(
  ...responses: OpenAiErrorResponse[]
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...responses.map((r) =>
      ApiResponse({
        status: r.status,
        description: `${r.description} (OpenAI error, ${STATUS_CODES[r.status] ?? r.status})`,
        ...(r.headers ? { headers: r.headers } : {}),
        content: {
          'application/json': {
            schema: OPENAI_ERROR_SCHEMA,
            example: {
              error: {
                message: r.message,
                type: r.type ?? (r.status >= 500 ? 'server_error' : 'invalid_request_error'),
                param: r.param ?? null,
                code: r.code ?? null,
              },
            },
          },
        },
      }),
    ),
  );
}
