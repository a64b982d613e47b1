import type { SchemaObject } from '@nestjs/swagger';

// OpenAPI schemas of the Responses API bodies this service sends (OpenAI's shapes).

const FREE: SchemaObject = { type: 'object', additionalProperties: true };

const OUTPUT_ITEM: SchemaObject = {
  type: 'object',
  required: ['type', 'id', 'status'],
  description:
    'A `message` (role assistant, `output_text` content) or a `function_call` (`call_id`, `name`, `arguments`).',
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['message', 'function_call'] },
    id: { type: 'string' },
    status: { type: 'string', enum: ['completed'] },
  },
};

export const RESPONSE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'object', 'created_at', 'status', 'model', 'output', 'usage'],
  properties: {
    id: { type: 'string', example: 'resp_0b9f4c1e5d2a4f438a8e3c1d2e4f5a6b' },
    object: { type: 'string', enum: ['response'] },
    created_at: { type: 'integer' },
    status: { type: 'string', enum: ['completed', 'in_progress'] },
    error: { type: 'object', nullable: true },
    incomplete_details: { type: 'object', nullable: true },
    instructions: { type: 'string', nullable: true },
    max_output_tokens: { type: 'integer', nullable: true },
    model: { type: 'string' },
    output: { type: 'array', items: OUTPUT_ITEM },
    parallel_tool_calls: { type: 'boolean' },
    previous_response_id: { type: 'string', nullable: true },
    conversation: {
      type: 'object',
      nullable: true,
      required: ['id'],
      properties: { id: { type: 'string' } },
    },
    store: { type: 'boolean' },
    temperature: { type: 'number', nullable: true },
    top_p: { type: 'number', nullable: true },
    text: FREE,
    tool_choice: { oneOf: [{ type: 'string' }, FREE] },
    tools: { type: 'array', items: FREE },
    usage: {
      type: 'object',
      nullable: true,
      required: ['input_tokens', 'output_tokens', 'total_tokens'],
      properties: {
        input_tokens: { type: 'integer', minimum: 0 },
        input_tokens_details: FREE,
        output_tokens: { type: 'integer', minimum: 0 },
        output_tokens_details: FREE,
        total_tokens: { type: 'integer', minimum: 0 },
      },
    },
    metadata: FREE,
  },
};

export const INPUT_ITEMS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['object', 'data', 'has_more'],
  properties: {
    object: { type: 'string', enum: ['list'] },
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'type'],
        additionalProperties: true,
        properties: { id: { type: 'string' }, type: { type: 'string' } },
      },
    },
    first_id: { type: 'string', nullable: true },
    last_id: { type: 'string', nullable: true },
    has_more: { type: 'boolean' },
  },
};

export const DELETED_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'object', 'deleted'],
  properties: {
    id: { type: 'string' },
    object: { type: 'string', enum: ['response'] },
    deleted: { type: 'boolean', enum: [true] },
  },
};
