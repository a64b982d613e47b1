import { ApiProperty } from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Max,
  Min,
  NotContains,
} from 'class-validator';

import {
  DEFAULT_MAX_TOKENS,
  MAX_MAX_TOKENS,
  MAX_TOKENS_RANGE_MESSAGE as RANGE_MESSAGE,
  MIN_MAX_TOKENS,
} from './query-limits.js';

const VISIBLE_CHARACTER = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}]/u;

/** Body of `POST /query`. */
export class CreateQueryDto {
  @ApiProperty({
    description: 'The question or instruction for the agent. Must contain a non-blank character.',
    example: 'Summarise the benefits of container health checks.',
  })
  // class-validator runs decorators bottom-up: the type check comes first.
  // PostgreSQL text cannot hold NUL, and no real prompt needs it.
  @NotContains('\u0000', { message: 'prompt must not contain NUL characters' })
  // Blank means no visible character: spaces, controls and invisible format characters
  // (zero-width space U+200B, word joiner U+2060, BOM U+FEFF, …) alone are an empty prompt.
  @Matches(VISIBLE_CHARACTER, { message: 'Prompt cannot be empty' })
  @IsNotEmpty({ message: 'Prompt cannot be empty' })
  @IsString({ message: 'prompt must be a string' })
  prompt!: string;

  @ApiProperty({
    description: 'Upper bound on generated tokens.',
    type: 'integer',
    minimum: MIN_MAX_TOKENS,
    maximum: MAX_MAX_TOKENS,
    default: DEFAULT_MAX_TOKENS,
    required: false,
    example: 100,
  })
  @Max(MAX_MAX_TOKENS, { message: RANGE_MESSAGE })
  @Min(MIN_MAX_TOKENS, { message: RANGE_MESSAGE })
  @IsInt({ message: 'max_tokens must be an integer' })
  @IsOptional()
  max_tokens?: number;

  @ApiProperty({
    description:
      'true answers with Server-Sent Events (`chunk` events, then `done`); same as sending `Accept: text/event-stream`.',
    required: false,
    default: false,
  })
  @IsBoolean({ message: 'stream must be a boolean' })
  @IsOptional()
  stream?: boolean;

  @ApiProperty({
    description:
      'A conversation of the same client (from `POST /v1/conversations`): the agent is asked with its earlier turns, and this prompt and the answer are added to it.',
    required: false,
    maxLength: 128,
    example: 'conv_5f1e0c3f9a11…',
  })
  @MaxLength(128, { message: 'conversation_id is too long' })
  @IsString({ message: 'conversation_id must be a string' })
  @IsOptional()
  conversation_id?: string;
}
