import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const ITEMS = {
  type: 'array',
  items: { type: 'object' },
  description:
    'Items as `/v1/responses` reads them: messages (text content), `function_call`, `function_call_output`.',
} as const;
const METADATA = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'Up to 16 pairs: keys of at most 64 characters, string values of at most 512.',
} as const;

/** Body of `POST /v1/conversations`. */
export class CreateConversationDto {
  @ApiPropertyOptional({ nullable: true, ...ITEMS })
  @Allow()
  items?: unknown;

  @ApiPropertyOptional({ nullable: true, ...METADATA })
  @Allow()
  metadata?: unknown;
}

/** Body of `POST /v1/conversations/{id}`. */
export class UpdateConversationDto {
  @ApiProperty({ nullable: true, ...METADATA })
  @Allow()
  metadata!: unknown;
}

/** Body of `POST /v1/conversations/{id}/items`. */
export class AddConversationItemsDto {
  @ApiProperty(ITEMS)
  @Allow()
  items!: unknown;
}

/** Query string of `GET /v1/conversations/{id}/items` (what the SDKs' cursor pages send). */
export class ListConversationItemsDto {
  @ApiProperty({ required: false, description: 'An item id: the page starts after it.' })
  @MaxLength(128, { message: 'after is too long' })
  @IsString({ message: 'after must be a string' })
  @IsOptional()
  after?: string;

  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: 100, default: 20 })
  @Max(100, { message: 'limit must be between 1 and 100' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @IsInt({ message: 'limit must be an integer' })
  @Type(() => Number)
  @IsOptional()
  limit?: number;

  @ApiProperty({ required: false, enum: ['asc', 'desc'], default: 'desc' })
  @IsIn(['asc', 'desc'], { message: 'order must be asc or desc' })
  @IsOptional()
  order?: 'asc' | 'desc';

  @ApiProperty({ required: false, description: 'Accepted; items are always sent whole.' })
  @Allow()
  include?: unknown;
}

/** Query string the SDKs may send with single-item and add-items calls. */
export class ItemIncludeDto {
  @ApiProperty({ required: false, description: 'Accepted; items are always sent whole.' })
  @Allow()
  include?: unknown;
}
