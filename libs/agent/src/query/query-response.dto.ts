import { ApiProperty } from '@nestjs/swagger';

/** Body of a successful `POST /query`. */
export class QueryResponseDto {
  @ApiProperty({ example: 'Processed: Summarise the benefits of container health checks.' })
  response!: string;

  @ApiProperty({
    description: 'Prompt plus completion tokens (cl100k_base BPE, or as counted by the provider).',
    type: 'integer',
    minimum: 0,
    example: 19,
  })
  tokens_used!: number;

  @ApiProperty({
    description: 'Id of this query in the history (GET /queries/{id}).',
    format: 'uuid',
  })
  id!: string;

  @ApiProperty({ description: 'Provider that answered.', example: 'builtin' })
  provider!: string;

  @ApiProperty({ description: 'Model that answered.', example: 'builtin-echo' })
  model!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'acme',
    description:
      'API client that asked (its id, never its key); null when the service runs without keys.',
  })
  client_id!: string | null;
}
