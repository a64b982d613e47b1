import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** One entry of the query history. */
export class QueryRecordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 128,
    example: 'b7c9e3a2-0d7c-4b8e-9c61-2f0e0c3f9a11',
  })
  requestId!: string | null;
  @ApiProperty({ example: 'builtin' }) provider!: string;
  @ApiProperty({ example: 'builtin-echo' }) model!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null when HISTORY_STORE_TEXT=false.' })
  prompt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Null when HISTORY_STORE_TEXT=false.' })
  response!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, example: 42 }) promptChars!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 53 }) responseChars!: number;
  @ApiProperty({ description: 'SHA-256 of the prompt (hex).', pattern: '^[0-9a-f]{64}$' })
  promptSha256!: string;
  @ApiProperty({ type: 'integer', example: 100 }) maxTokens!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 9 }) promptTokens!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 12 }) completionTokens!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 21 }) tokensUsed!: number;
  @ApiProperty({ example: 1.42, description: 'Time to answer, in milliseconds.' })
  latencyMs!: number;
  @ApiProperty({ enum: ['HIT', 'MISS', 'BYPASS'] }) cacheStatus!: string;
}

/** A newest-first page of the history. */
export class QueryHistoryPageDto {
  @ApiProperty({ type: [QueryRecordDto] }) items!: QueryRecordDto[];
  @ApiProperty({ required: false, description: 'Pass as `cursor` to get the next (older) page.' })
  nextCursor?: string;
}

/** Query string of `GET /queries`. */
export class ListQueriesDto {
  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @Max(100, { message: 'limit must be between 1 and 100' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @IsInt({ message: 'limit must be an integer' })
  limit?: number;

  @ApiProperty({
    required: false,
    maxLength: 256,
    description: 'Opaque cursor from a previous page.',
  })
  @IsOptional()
  @MaxLength(256)
  @IsString()
  cursor?: string;
}
