import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** A type error naming the parameter, as OpenAI words it. */
export const TYPE = (name: string, type: string) => ({ message: `${name} must be ${type}` });

/**
 * What the model requests of the OpenAI face share (Chat Completions, Responses): the model,
 * streaming, and the sampling parameters forwarded to the provider as given.
 */
export abstract class OpenAiModelRequestDto {
  @ApiProperty({ description: 'A model from GET /v1/models.', example: 'builtin-echo' })
  @MaxLength(256, { message: 'model is too long' })
  @IsString(TYPE('model', 'a string'))
  model!: string;

  @ApiProperty({ required: false, default: false })
  @IsBoolean(TYPE('stream', 'a boolean'))
  @IsOptional()
  stream?: boolean;

  @Max(2) @Min(0) @IsNumber({}, TYPE('temperature', 'a number')) @IsOptional() temperature?: number;
  @Max(1) @Min(0) @IsNumber({}, TYPE('top_p', 'a number')) @IsOptional() top_p?: number;
  @MaxLength(256) @IsString(TYPE('user', 'a string')) @IsOptional() user?: string;
  @IsBoolean(TYPE('parallel_tool_calls', 'a boolean')) @IsOptional() parallel_tool_calls?: boolean;
}
