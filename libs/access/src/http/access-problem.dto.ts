import { ApiProperty } from '@nestjs/swagger';
import { ProblemDetailsDto } from '@app/platform';

/** A 429 problem document: which per-minute budgets the request went over. */
export class QuotaExceededProblemDto extends ProblemDetailsDto {
  @ApiProperty({
    name: 'violated-policies',
    type: [String],
    enum: ['requests', 'tokens'],
    description: 'The budgets exceeded, named as in RateLimit-Policy.',
  })
  'violated-policies'!: string[];
}
