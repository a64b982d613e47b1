import { Controller, Get, Headers, Header, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiProblemResponses, type Environment, type ResponseControls } from '@app/platform';
import { MetricsService } from './metrics.service.js';

class MetricsSummaryDto {
  @ApiProperty({ example: 'AI Agent Service' }) app_name!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
}

/** Prometheus metrics by default; the original service's JSON summary for `Accept: application/json`. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  private readonly summary: MetricsSummaryDto;

  constructor(
    private readonly metrics: MetricsService,
    config: ConfigService<Environment, true>,
  ) {
    this.summary = {
      app_name: 'AI Agent Service',
      version: config.get('APP_VERSION', { infer: true }),
      environment: config.get('ENVIRONMENT', { infer: true }),
    };
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'metrics',
    summary: 'Metrics',
    description:
      'Prometheus text format, or a JSON summary when the client accepts application/json and neither text/plain nor OpenMetrics.',
  })
  @ApiExtraModels(MetricsSummaryDto)
  @ApiOkResponse({
    description: 'Prometheus exposition text (format 0.0.4), or the JSON summary.',
    headers: { 'Cache-Control': { schema: { type: 'string', enum: ['no-store'] } } },
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example:
          '# HELP http_requests_total HTTP requests served, by method, route template and status code.\n# TYPE http_requests_total counter\nhttp_requests_total{method="POST",route="/query",status="200"} 42\n',
      },
      'application/json': { schema: { $ref: getSchemaPath(MetricsSummaryDto) } },
    },
  })
  @ApiProblemResponses({
    status: 401,
    description:
      'METRICS_TOKEN is set and the request lacks `Authorization: Bearer <METRICS_TOKEN>`.',
    detail: 'A valid metrics token is required',
    instance: '/metrics',
    headers: {
      'WWW-Authenticate': { required: true, schema: { type: 'string', example: 'Bearer' } },
    },
  })
  async metricsText(
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: ResponseControls,
  ): Promise<string | MetricsSummaryDto> {
    if (prefersJson(accept)) return this.summary;
    res.header('Content-Type', this.metrics.contentType);
    return this.metrics.render();
  }
}

/** True when the client asks for JSON and not for text (Prometheus sends text/plain or openmetrics). */
function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const lower = accept.toLowerCase();
  return (
    lower.includes('application/json') &&
    !lower.includes('text/plain') &&
    !lower.includes('openmetrics')
  );
}
