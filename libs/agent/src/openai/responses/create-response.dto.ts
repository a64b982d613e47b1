import { ApiProperty } from '@nestjs/swagger';
import {
  Allow,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

const TYPE = (name: string, type: string) => ({ message: `${name} must be ${type}` });

/**
 * Body of `POST /v1/responses` (OpenAI's Responses API). Shapes of `input`, `tools` and `text`
 * are checked by `response-input.ts`; platform settings (`metadata`, `include`, `truncation`,
 * `reasoning`, `service_tier`...) are accepted and not forwarded.
 */
export class CreateResponseDto {
  @ApiProperty({ description: 'A model from GET /v1/models.', example: 'builtin-echo' })
  @MaxLength(256, { message: 'model is too long' })
  @IsString(TYPE('model', 'a string'))
  model!: string;

  @ApiProperty({
    description:
      'A string, or items: messages (`role`, `content` as a string or `input_text`/`output_text` parts), `function_call` and `function_call_output`.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
    example: 'hello',
  })
  @Allow()
  input!: unknown;

  @ApiProperty({
    required: false,
    description: 'A system turn, never trimmed from a conversation.',
  })
  @IsString(TYPE('instructions', 'a string'))
  @IsOptional()
  instructions?: string;

  @ApiProperty({
    required: false,
    type: 'array',
    items: { type: 'object' },
    description:
      'Function tools: `{"type": "function", "name", "description", "parameters", "strict"}`.',
  })
  @Allow()
  tools?: unknown;

  @ApiProperty({ required: false, oneOf: [{ type: 'string' }, { type: 'object' }] })
  @Allow()
  tool_choice?: unknown;

  @ApiProperty({
    required: false,
    description:
      '`{"format": {"type": "text" | "json_object" | "json_schema", "name", "schema", "strict"}}`.',
  })
  @Allow()
  text?: unknown;

  @ApiProperty({ required: false, minimum: 1 })
  @Min(1, { message: 'max_output_tokens must be at least 1' })
  @IsInt(TYPE('max_output_tokens', 'an integer'))
  @IsOptional()
  max_output_tokens?: number;

  @ApiProperty({
    required: false,
    default: true,
    description: 'Keep the response for GET and previous_response_id.',
  })
  @IsBoolean(TYPE('store', 'a boolean'))
  @IsOptional()
  store?: boolean;

  @ApiProperty({
    required: false,
    description: 'Continue from a stored response of the same client.',
  })
  @MaxLength(128)
  @IsString(TYPE('previous_response_id', 'a string'))
  @IsOptional()
  previous_response_id?: string;

  @ApiProperty({
    required: false,
    oneOf: [
      { type: 'string' },
      { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    ],
    description:
      'A conversation of the same client (`conv_…`, or `{"id": …}`): its items are the context, and this input and the output are added to it. Not with previous_response_id.',
  })
  @Allow()
  conversation?: unknown;

  @ApiProperty({ required: false, default: false })
  @IsBoolean(TYPE('stream', 'a boolean'))
  @IsOptional()
  stream?: boolean;

  @Max(2) @Min(0) @IsNumber({}, TYPE('temperature', 'a number')) @IsOptional() temperature?: number;
  @Max(1) @Min(0) @IsNumber({}, TYPE('top_p', 'a number')) @IsOptional() top_p?: number;
  @IsBoolean(TYPE('parallel_tool_calls', 'a boolean')) @IsOptional() parallel_tool_calls?: boolean;
  @MaxLength(256) @IsString(TYPE('user', 'a string')) @IsOptional() user?: string;

  // --- accepted, not forwarded ---
  @Allow() metadata?: unknown;
  @Allow() include?: unknown;
  @Allow() truncation?: unknown;
  @Allow() reasoning?: unknown;
  @Allow() service_tier?: unknown;
  @Allow() prompt_cache_key?: unknown;
  @Allow() safety_identifier?: unknown;
  @Allow() stream_options?: unknown;
  @Allow() top_logprobs?: unknown;
}
