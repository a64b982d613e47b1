import type { SchemaObject } from '@nestjs/swagger';

// OpenAPI schemas of the Conversations API bodies this service sends (OpenAI's shapes).

const METADATA: SchemaObject = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'Up to 16 string pairs.',
};

export const CONVERSATION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'object', 'created_at', 'metadata'],
  properties: {
    id: { type: 'string', example: 'conv_5f1e…' },
    object: { type: 'string', enum: ['conversation'] },
    created_at: { type: 'integer', description: 'Unix time in seconds.' },
    metadata: METADATA,
  },
};

export const CONVERSATION_DELETED_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'object', 'deleted'],
  properties: {
    id: { type: 'string' },
    object: { type: 'string', enum: ['conversation.deleted'] },
    deleted: { type: 'boolean', enum: [true] },
  },
};

/** A `message`, `function_call` or `function_call_output` item, as `/v1/responses` reads them. */
export const CONVERSATION_ITEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'type', 'status'],
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    type: { type: 'string', enum: ['message', 'function_call', 'function_call_output'] },
    status: { type: 'string', enum: ['completed'] },
  },
};

export const CONVERSATION_ITEM_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['object', 'data', 'first_id', 'last_id', 'has_more'],
  properties: {
    object: { type: 'string', enum: ['list'] },
    data: { type: 'array', items: CONVERSATION_ITEM_SCHEMA },
    first_id: { type: 'string', nullable: true },
    last_id: { type: 'string', nullable: true },
    has_more: { type: 'boolean' },
  },
};
