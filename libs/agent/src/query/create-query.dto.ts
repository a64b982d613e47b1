import { ApiProperty } from '@nestjs/swagger';
import {
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
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

/** Body of `POST /query`. */
export class CreateQueryDto {
  @ApiProperty({
    description: 'The question or instruction for the agent. Must contain a non-blank character.',
    example: 'Summarise the benefits of container health checks.',
  })
  // class-validator runs decorators bottom-up: the type check comes first.
  // PostgreSQL text cannot hold NUL, and no real prompt needs it.
  @NotContains('\u0000', { message: 'prompt must not contain NUL characters' })
  @Matches(/\S/, { message: 'Prompt cannot be empty' })
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
}
