import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

const DATE_MESSAGE = (name: string) => ({ message: `${name} must be a date such as 2026-01-31` });

/** The range of a usage report (UTC days, both included); default the current month so far. */
export class UsageQueryDto {
  @ApiProperty({
    required: false,
    format: 'date',
    example: '2026-12-01',
    description: 'First day (UTC); default the 1st of this month.',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, DATE_MESSAGE('from'))
  @IsString(DATE_MESSAGE('from'))
  from?: string;

  @ApiProperty({
    required: false,
    format: 'date',
    example: '2026-12-06',
    description: 'Last day (UTC); default today. At most 366 days after from.',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, DATE_MESSAGE('to'))
  @IsString(DATE_MESSAGE('to'))
  to?: string;
}

/** /admin/usage: the report of one client. */
export class AdminUsageQueryDto extends UsageQueryDto {
  @ApiProperty({ example: 'acme', description: 'A client id of the key configuration.' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'client must be a client id' })
  @IsString({ message: 'client must be a client id' })
  client!: string;
}

class UsageCountsDto {
  @ApiProperty({ type: 'integer', minimum: 0 }) tokens!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) requests!: number;
}

class DailyUsageDto extends UsageCountsDto {
  @ApiProperty({ format: 'date', example: '2026-12-06' }) date!: string;
}

class BudgetUsageDto {
  @ApiProperty({ enum: ['tokens-per-day', 'tokens-per-month', 'tokens-rolling'] }) policy!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) limit!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Tokens spent in the current window.' })
  used!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) remaining!: number;
  @ApiProperty({ format: 'date-time', description: 'When the window resets (UTC).' })
  resets_at!: string;
}

/** A client's usage per UTC day, its lifetime totals and its budgets as they stand. */
export class UsageReportDto {
  @ApiProperty({ enum: ['usage'] }) object!: 'usage';
  @ApiProperty({ example: 'acme' }) client_id!: string;
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ type: [DailyUsageDto], description: 'Days with any use, oldest first.' })
  days!: DailyUsageDto[];
  @ApiProperty({ type: UsageCountsDto, description: 'The sum over the range.' })
  total!: UsageCountsDto;
  @ApiProperty({
    type: UsageCountsDto,
    description: 'Since the client was first metered; never reset.',
  })
  lifetime!: UsageCountsDto;
  @ApiProperty({
    type: [BudgetUsageDto],
    description: 'The budgets that apply to the client (none when off).',
  })
  budgets!: BudgetUsageDto[];
}
