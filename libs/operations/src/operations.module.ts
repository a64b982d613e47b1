import {
  Module,
  type DynamicModule,
  type InjectionToken,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health/health.controller.js';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { READINESS_CHECKS } from '@app/platform';
import { ReadinessController } from './readiness/readiness.controller.js';
import { ReadinessService } from './readiness/readiness.service.js';

export interface OperationsModuleOptions {
  /** Providers (tokens) of the configured dependencies' readiness checks. */
  readinessChecks?: InjectionToken[];
}

/** Probes and telemetry: /health, /ready, /metrics. */
@Module({})
export class OperationsModule implements NestModule {
  static forRoot(options: OperationsModuleOptions = {}): DynamicModule {
    const checkTokens = options.readinessChecks ?? [];
    return {
      module: OperationsModule,
      global: true,
      // Terminus' own error logging is off: readiness logs one line per state change instead.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, ReadinessController, MetricsController],
      providers: [
        MetricsService,
        ReadinessService,
        {
          provide: READINESS_CHECKS,
          inject: checkTokens,
          // A token may stand for one check or a list (e.g. one per LLM provider).
          useFactory: (...checks: unknown[]) => checks.flat(),
        },
      ],
      exports: [MetricsService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }
}
