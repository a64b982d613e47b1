import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** One entry of the query history. */
export class QueryRecordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, nullable: true, example: 'b7c9e3a2-0d7c-4b8e-9c61-2f0e0c3f9a11' })
  requestId!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'acme',
    description: 'API client that asked; null when the service runs without keys.',
  })
  clientId!: string | null;
  @ApiProperty({
    enum: ['answered', 'cancelled'],
    description: 'cancelled: the client went away and the provider call was aborted.',
  })
  outcome!: string;
  @ApiProperty({ example: 'builtin' }) provider!: string;
  @ApiProperty({ example: 'builtin-echo' }) model!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null when HISTORY_STORE_TEXT=false.' })
  prompt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Null when HISTORY_STORE_TEXT=false.' })
  response!: string | null;
  @ApiProperty({ example: 42 }) promptChars!: number;
  @ApiProperty({ example: 53 }) responseChars!: number;
  @ApiProperty({ description: 'SHA-256 of the prompt (hex).' }) promptSha256!: string;
  @ApiProperty({ example: 100 }) maxTokens!: number;
  @ApiProperty({ example: 9 }) promptTokens!: number;
  @ApiProperty({ example: 12 }) completionTokens!: number;
  @ApiProperty({ example: 21 }) tokensUsed!: number;
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
  @ApiProperty({ required: false, minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @Max(100, { message: 'limit must be between 1 and 100' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @IsInt({ message: 'limit must be an integer' })
  limit?: number;

  @ApiProperty({ required: false, description: 'Opaque cursor from a previous page.' })
  @IsOptional()
  @MaxLength(256)
  @IsString()
  cursor?: string;
}
