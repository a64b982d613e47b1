import { ApiProperty } from '@nestjs/swagger';
import {
  Allow,
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OpenAiModelRequestDto, TYPE } from './openai-request.dto.js';

const TOOL_CALL_SCHEMA = {
  type: 'object',
  required: ['id', 'type', 'function'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string', enum: ['function'] },
    function: {
      type: 'object',
      required: ['name', 'arguments'],
      properties: { name: { type: 'string' }, arguments: { type: 'string' } },
    },
  },
};

/**
 * Body of `POST /v1/chat/completions`: OpenAI's parameters. Sampling parameters, tools and
 * response formats are forwarded to the provider (see `chat-parameters.ts`); the few that
 * cannot be honoured are declared so they can be refused by name (`unsupported-parameters.ts`).
 */
export class ChatCompletionRequestDto extends OpenAiModelRequestDto {
  @ApiProperty({
    description:
      'The conversation: system/developer/user/assistant/tool turns with text content (a string or text parts), assistant `tool_calls`, and `tool` results naming their `tool_call_id`.',
    type: 'array',
    items: {
      type: 'object',
      required: ['role'],
      properties: {
        role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant', 'tool'] },
        tool_call_id: { type: 'string', maxLength: 256 },
        tool_calls: { type: 'array', maxItems: 128, items: TOOL_CALL_SCHEMA },
        content: {
          description: 'null for an assistant turn that only calls tools.',
          oneOf: [
            { type: 'string' },
            {
              type: 'array',
              items: {
                type: 'object',
                properties: { type: { type: 'string', enum: ['text'] }, text: { type: 'string' } },
              },
            },
          ],
        },
        name: { type: 'string' },
      },
    },
    example: [{ role: 'user', content: 'hello' }],
  })
  @ArrayMaxSize(1024, { message: 'messages may hold at most 1024 entries' })
  @ArrayNotEmpty({ message: 'messages must not be empty' })
  @IsArray(TYPE('messages', 'an array'))
  messages!: unknown[];

  @ApiProperty({
    required: false,
    minimum: 1,
    description:
      'Forwarded as sent (clamped to LLM_MAX_COMPLETION_TOKENS); without it the model decides, within that ceiling.',
  })
  @IsInt(TYPE('max_tokens', 'an integer'))
  @IsOptional()
  max_tokens?: number;

  @ApiProperty({ required: false, minimum: 1, description: 'The current name of max_tokens.' })
  @IsInt(TYPE('max_completion_tokens', 'an integer'))
  @IsOptional()
  max_completion_tokens?: number;

  @ApiProperty({ required: false, example: { include_usage: true } })
  @IsObject(TYPE('stream_options', 'an object'))
  @IsOptional()
  stream_options?: { include_usage?: unknown };

  // --- forwarded to the provider (see chat-parameters.ts) ---
  @Max(2)
  @Min(-2)
  @IsNumber({}, TYPE('frequency_penalty', 'a number'))
  @IsOptional()
  frequency_penalty?: number;
  @Max(2)
  @Min(-2)
  @IsNumber({}, TYPE('presence_penalty', 'a number'))
  @IsOptional()
  presence_penalty?: number;
  @IsInt(TYPE('seed', 'an integer')) @IsOptional() seed?: number;
  @IsObject(TYPE('metadata', 'an object')) @IsOptional() metadata?: object;
  @IsBoolean(TYPE('store', 'a boolean')) @IsOptional() store?: boolean;
  @IsString(TYPE('service_tier', 'a string')) @IsOptional() service_tier?: string;
  @IsIn(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'], {
    message: 'reasoning_effort must be one of none, minimal, low, medium, high, xhigh',
  })
  @IsOptional()
  reasoning_effort?: string;
  @IsIn(['low', 'medium', 'high'], { message: 'verbosity must be one of low, medium, high' })
  @IsOptional()
  verbosity?: string;
  @MaxLength(1024)
  @IsString(TYPE('prompt_cache_key', 'a string'))
  @IsOptional()
  prompt_cache_key?: string;
  @MaxLength(256)
  @IsString(TYPE('safety_identifier', 'a string'))
  @IsOptional()
  safety_identifier?: string;

  @ApiProperty({ required: false, minimum: 1, maximum: 8 })
  @IsInt(TYPE('n', 'an integer'))
  @IsOptional()
  n?: number;
  @IsBoolean(TYPE('logprobs', 'a boolean')) @IsOptional() logprobs?: boolean;
  @Max(20) @Min(0) @IsInt(TYPE('top_logprobs', 'an integer')) @IsOptional() top_logprobs?: number;
  @ApiProperty({
    required: false,
    description:
      '`{"type": "text" | "json_object"}` or `{"type": "json_schema", "json_schema": {"name", "schema", "strict"}}`.',
    example: {
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
    },
  })
  @IsObject(TYPE('response_format', 'an object'))
  @IsOptional()
  response_format?: { type?: unknown };
  @ApiProperty({
    required: false,
    description:
      'Function tools: `{"type": "function", "function": {"name", "description", "parameters", "strict"}}` (at most 128).',
    type: 'array',
    items: { type: 'object' },
  })
  @IsArray(TYPE('tools', 'an array'))
  @IsOptional()
  tools?: unknown[];
  @ApiProperty({
    required: false,
    description: '`none`, `auto`, `required` or `{"type": "function", "function": {"name"}}`.',
    oneOf: [{ type: 'string', enum: ['none', 'auto', 'required'] }, { type: 'object' }],
  })
  @Allow()
  tool_choice?: unknown;
  @ApiProperty({
    required: false,
    description: 'Up to 4 stop sequences.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  })
  @Allow()
  stop?: unknown;
  @IsObject(TYPE('logit_bias', 'an object')) @IsOptional() logit_bias?: object;

  // --- accepted only with the values that keep the answer's meaning (checked by name) ---
  @IsArray(TYPE('functions', 'an array')) @IsOptional() functions?: unknown[];
  @Allow() function_call?: unknown;
  @IsArray(TYPE('modalities', 'an array')) @IsOptional() modalities?: unknown[];
  @Allow() audio?: unknown;
  @Allow() prediction?: unknown;
  @Allow() web_search_options?: unknown;
}
