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

const TYPE = (name: string, type: string) => ({ message: `${name} must be ${type}` });

/**
 * Body of `POST /v1/chat/completions`: OpenAI's parameters. The ones that change the answer's
 * meaning and cannot be honoured are declared so they can be refused by name (see
 * `unsupported-parameters.ts`); sampling parameters are accepted and have no effect.
 */
export class ChatCompletionRequestDto {
  @ApiProperty({ description: 'A model from GET /v1/models.', example: 'builtin-echo' })
  @MaxLength(256, { message: 'model is too long' })
  @IsString(TYPE('model', 'a string'))
  model!: string;

  @ApiProperty({
    description:
      'The conversation: system/developer/user/assistant turns with text content (a string or text parts).',
    type: 'array',
    items: {
      type: 'object',
      required: ['role', 'content'],
      properties: {
        role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant'] },
        content: {
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

  @ApiProperty({ required: false, minimum: 10, maximum: 2000, default: 100 })
  @IsInt(TYPE('max_tokens', 'an integer'))
  @IsOptional()
  max_tokens?: number;

  @ApiProperty({ required: false, minimum: 10, maximum: 2000, default: 100 })
  @IsInt(TYPE('max_completion_tokens', 'an integer'))
  @IsOptional()
  max_completion_tokens?: number;

  @ApiProperty({ required: false, default: false })
  @IsBoolean(TYPE('stream', 'a boolean'))
  @IsOptional()
  stream?: boolean;

  @ApiProperty({ required: false, example: { include_usage: true } })
  @IsObject(TYPE('stream_options', 'an object'))
  @IsOptional()
  stream_options?: { include_usage?: unknown };

  // --- accepted, no effect on the answer ---
  @Max(2) @Min(0) @IsNumber({}, TYPE('temperature', 'a number')) @IsOptional() temperature?: number;
  @Max(1) @Min(0) @IsNumber({}, TYPE('top_p', 'a number')) @IsOptional() top_p?: number;
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
  @MaxLength(256) @IsString(TYPE('user', 'a string')) @IsOptional() user?: string;
  @IsObject(TYPE('metadata', 'an object')) @IsOptional() metadata?: object;
  @IsBoolean(TYPE('store', 'a boolean')) @IsOptional() store?: boolean;
  @IsString(TYPE('service_tier', 'a string')) @IsOptional() service_tier?: string;
  @IsBoolean(TYPE('parallel_tool_calls', 'a boolean')) @IsOptional() parallel_tool_calls?: boolean;
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

  // --- accepted only with the values that keep the answer's meaning (checked by name) ---
  @IsInt(TYPE('n', 'an integer')) @IsOptional() n?: number;
  @IsBoolean(TYPE('logprobs', 'a boolean')) @IsOptional() logprobs?: boolean;
  @IsInt(TYPE('top_logprobs', 'an integer')) @IsOptional() top_logprobs?: number;
  @IsObject(TYPE('response_format', 'an object')) @IsOptional() response_format?: {
    type?: unknown;
  };
  @IsArray(TYPE('tools', 'an array')) @IsOptional() tools?: unknown[];
  @Allow() tool_choice?: unknown;
  @IsArray(TYPE('functions', 'an array')) @IsOptional() functions?: unknown[];
  @Allow() function_call?: unknown;
  @Allow() stop?: unknown;
  @IsObject(TYPE('logit_bias', 'an object')) @IsOptional() logit_bias?: object;
  @IsArray(TYPE('modalities', 'an array')) @IsOptional() modalities?: unknown[];
  @Allow() audio?: unknown;
  @Allow() prediction?: unknown;
  @Allow() web_search_options?: unknown;
}
