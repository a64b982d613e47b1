import { ApiProperty } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'max_tokens' }) field!: string;
  @ApiProperty({ example: 'max_tokens must be between 10 and 2000' }) message!: string;
}

/** OpenAPI schema of the RFC 9457 problem details every error is rendered as. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'about:blank', description: 'A URI naming the problem type.' })
  type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 }) status!: number;
  @ApiProperty({ example: 'max_tokens must be between 10 and 2000' }) detail!: string;
  @ApiProperty({ example: '/query', required: false, description: 'The request path.' })
  instance?: string;
  @ApiProperty({
    example: '3f1c0b5e-8a0e-4c52-9a53-8d1f0f6e2a10',
    required: false,
    maxLength: 128,
    description: 'Same as the X-Request-Id response header.',
  })
  request_id?: string;
  @ApiProperty({
    example: '4bf92f3577b34da6a3ce929d0e0e4736',
    required: false,
    pattern: '^[0-9a-f]{32}$',
    description:
      'The W3C trace id of the request, when tracing is on (as in the traceparent header).',
  })
  trace_id?: string;
  @ApiProperty({ type: [FieldErrorDto], required: false }) errors?: FieldErrorDto[];
}
