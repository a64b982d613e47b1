import { ApiProperty } from '@nestjs/swagger';
import { ProblemDetailsDto } from '@app/platform';

/** A 429 problem document: which per-minute limits or token budgets the request went over. */
export class QuotaExceededProblemDto extends ProblemDetailsDto {
  @ApiProperty({
    name: 'violated-policies',
    type: [String],
    enum: ['requests', 'tokens', 'tokens-per-day', 'tokens-per-month', 'tokens-rolling'],
    description: 'The budgets exceeded, named as in RateLimit-Policy.',
  })
  'violated-policies'!: string[];
}
