import { Controller, Get, Inject } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Environment } from '@app/platform';

class HealthDto {
  @ApiProperty({ enum: ['healthy'], example: 'healthy' }) status!: 'healthy';
  @ApiProperty({ example: '1.0.0' }) version!: string;
}

/** Liveness: answers from memory, touches no dependency and never goes through Terminus. */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  private readonly body: HealthDto;

  constructor(@Inject(ConfigService) config: ConfigService<Environment, true>) {
    this.body = Object.freeze({
      status: 'healthy',
      version: config.get('APP_VERSION', { infer: true }),
    });
  }

  @Get()
  @ApiOperation({
    operationId: 'health',
    summary: 'Liveness probe',
    description: 'Always 200 while the process can serve HTTP.',
  })
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    return this.body;
  }
}
