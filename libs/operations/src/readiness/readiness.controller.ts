import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { ResponseControls } from '@app/platform';
import { ReadinessDto } from './readiness.dto.js';
import { ReadinessService } from './readiness.service.js';

/** Readiness: 200 when the service should receive traffic, 503 when it should not. */
@ApiTags('operations')
@Controller('ready')
export class ReadinessController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get()
  @ApiOperation({
    operationId: 'ready',
    summary: 'Readiness probe',
    description:
      'Pings each configured dependency (timeout READINESS_TIMEOUT_MS). 503 while shutting down or when a required dependency is down; an optional one that is down gives 200 with status "degraded".',
  })
  @ApiOkResponse({ type: ReadinessDto, description: 'Ready (status ok or degraded).' })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'Not ready: a required dependency is down, or shutting down.',
  })
  async ready(@Res({ passthrough: true }) res: ResponseControls): Promise<ReadinessDto> {
    const result = await this.readiness.evaluate();
    res.status(result.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return result;
  }
}
