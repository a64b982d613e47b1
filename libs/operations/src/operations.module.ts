import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { ReadinessController } from './readiness/readiness.controller.js';
import {
  READINESS_CHECKS,
  READINESS_OPTIONS,
  type ReadinessOptions,
  type ReadinessSource,
} from './readiness/readiness.options.js';
import { ReadinessService } from './readiness/readiness.service.js';

export interface OperationsModuleOptions {
  readiness: ReadinessOptions;
  /** The configured dependencies readiness checks; absent ones report `not_configured`. */
  dependencies: ReadinessSource[];
}

/** Probes and telemetry: /health, /ready, /metrics. */
@Module({})
export class OperationsModule {
  static forRoot(options: OperationsModuleOptions): DynamicModule {
    return {
      module: OperationsModule,
      imports: [
        // Terminus' own error logging is off: readiness logs one line per state change instead.
        TerminusModule.forRoot({ logger: false }),
        ...options.dependencies.map((d) => d.module),
      ],
      controllers: [HealthController, ReadinessController, MetricsController],
      providers: [
        MetricsService,
        ReadinessService,
        { provide: READINESS_OPTIONS, useValue: options.readiness },
        {
          provide: READINESS_CHECKS,
          inject: options.dependencies.map((d) => d.check),
          // A token may stand for one check or a list (e.g. one per LLM provider).
          useFactory: (...checks: unknown[]) => checks.flat(),
        },
      ],
    };
  }
}
