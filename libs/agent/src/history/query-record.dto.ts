import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageLimitDto } from '@app/platform';
import type { HistoryPage } from './query-history.js';
import type { QueryRecord } from './query-record.js';

/** One entry of the query history (snake_case, like every body of the API). */
export class QueryRecordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 128,
    example: 'b7c9e3a2-0d7c-4b8e-9c61-2f0e0c3f9a11',
  })
  request_id!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'acme',
    description: 'API client that asked; null when the service runs without keys.',
  })
  client_id!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'conv_5f1e0c3f9a11…',
    description: 'The conversation the query was a turn of (`conversation_id`), if any.',
  })
  conversation_id!: string | null;
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
  @ApiProperty({ type: 'integer', minimum: 0, example: 42 }) prompt_chars!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 53 }) response_chars!: number;
  @ApiProperty({ description: 'SHA-256 of the prompt (hex).', pattern: '^[0-9a-f]{64}$' })
  prompt_sha256!: string;
  @ApiProperty({ type: 'integer', example: 100 }) max_tokens!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 9 }) prompt_tokens!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 12 }) completion_tokens!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 21 }) tokens_used!: number;
  @ApiProperty({ example: 1.42, description: 'Time to answer, in milliseconds.' })
  latency_ms!: number;
  @ApiProperty({ enum: ['HIT', 'MISS', 'BYPASS'] }) cache_status!: string;
}

/** A newest-first page of the history. */
export class QueryHistoryPageDto {
  @ApiProperty({ type: [QueryRecordDto] }) items!: QueryRecordDto[];
  @ApiProperty({ required: false, description: 'Pass as `cursor` to get the next (older) page.' })
  next_cursor?: string;
}

/** Query string of `GET /queries`. */
export class ListQueriesDto extends PageLimitDto {
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

/** The body of a history record. */
export function toQueryRecordDto(record: QueryRecord): QueryRecordDto {
  return {
    id: record.id,
    created_at: record.createdAt.toISOString(),
    request_id: record.requestId,
    client_id: record.clientId,
    conversation_id: record.conversationId,
    outcome: record.outcome,
    provider: record.provider,
    model: record.model,
    prompt: record.prompt,
    response: record.response,
    prompt_chars: record.promptChars,
    response_chars: record.responseChars,
    prompt_sha256: record.promptSha256,
    max_tokens: record.maxTokens,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    tokens_used: record.tokensUsed,
    latency_ms: record.latencyMs,
    cache_status: record.cacheStatus,
  };
}

/** The body of a history page. */
export function toQueryHistoryPageDto(page: HistoryPage): QueryHistoryPageDto {
  const items = page.items.map(toQueryRecordDto);
  return page.nextCursor === undefined ? { items } : { items, next_cursor: page.nextCursor };
}
