import { ApiProperty } from '@nestjs/swagger';
import { Allow, IsBoolean, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { OpenAiModelRequestDto, TYPE } from '../openai-request.dto.js';

/**
 * Body of `POST /v1/responses` (OpenAI's Responses API). Shapes of `input`, `tools` and `text`
 * are checked by `response-input.ts`; platform settings (`metadata`, `include`, `truncation`,
 * `reasoning`, `service_tier`...) are accepted and not forwarded.
 */
export class CreateResponseDto extends OpenAiModelRequestDto {
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
