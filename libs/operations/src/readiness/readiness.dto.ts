import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';

export type DependencyState = 'up' | 'down' | 'not_configured';

class ReadinessChecksDto {
  @ApiProperty({ enum: ['up', 'down', 'not_configured'], example: 'not_configured' })
  database!: DependencyState;
  @ApiProperty({ enum: ['up', 'down', 'not_configured'], example: 'not_configured' })
  cache!: DependencyState;
  @ApiProperty({ enum: ['responsive', 'shutting_down'], example: 'responsive' })
  api!: 'responsive' | 'shutting_down';
}

class DependencyDetailDto {
  @ApiProperty({ enum: ['up', 'down', 'not_configured'] }) status!: DependencyState;
  @ApiProperty({ description: 'Whether a failure makes the service unready.' }) required!: boolean;
  @ApiProperty({
    required: false,
    minimum: 0,
    description: 'Check latency in milliseconds.',
    example: 1.2,
  })
  latency_ms?: number;
  @ApiProperty({ required: false, enum: ['timeout', 'unavailable', 'circuit_open'] })
  error?: string;
  @ApiProperty({
    required: false,
    enum: ['closed', 'open', 'half_open'],
    description: 'LLM providers (`llm:<id>`): circuit breaker state.',
  })
  circuit?: string;
  @ApiProperty({ required: false, description: 'LLM providers: model.', example: 'gpt-4o-mini' })
  model?: string;
}

/** Body of `GET /ready` (200 when ready, 503 when not). */
@ApiExtraModels(DependencyDetailDto)
export class ReadinessDto {
  @ApiProperty({ example: true }) ready!: boolean;
  @ApiProperty({ enum: ['ok', 'degraded', 'unavailable', 'shutting_down'], example: 'ok' })
  status!: 'ok' | 'degraded' | 'unavailable' | 'shutting_down';
  @ApiProperty({ type: ReadinessChecksDto }) checks!: ReadinessChecksDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(DependencyDetailDto) },
    description:
      'Per-dependency status, requirement and latency: `database`, `redis` when configured, and each LLM provider as `llm:<id>` (reported, never required).',
    example: {
      'llm:builtin': { status: 'up', required: false, circuit: 'closed', model: 'builtin-echo' },
    },
  })
  details!: Record<string, DependencyDetailDto>;
}

export { DependencyDetailDto };
