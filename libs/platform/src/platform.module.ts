import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { Environment } from './config/environment.js';
import { JsonObjectBodyPipe } from './http/json-body.pipe.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';
import { HttpModule } from './http/http.module.js';
import { createValidationPipe } from './http/validation.js';
import { DependencyMonitor } from './health/dependency-monitor.js';
import { ShutdownState } from './lifecycle/shutdown-state.js';
import { MetricsRegistry } from './telemetry/metrics-registry.js';
import { LoggingModule } from './logging/logging.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { telemetryEnabled } from './telemetry/telemetry-settings.js';

/**
 * Cross-cutting wiring: validated configuration, logging, problem-details errors, strict
 * input validation, metrics registry, dependency states and the shutdown state. The one
 * global module: every lib logs, counts and reports through it.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        // The environment was validated once at boot. ConfigService serves the service's identity
        // (APP_VERSION, ENVIRONMENT) to the probes; feature modules get typed slices instead.
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: () => ({ ...env }) }),
        LoggingModule.forRoot(env),
        HttpModule.forRoot(env),
        ...(telemetryEnabled(env) ? [TelemetryModule] : []),
      ],
      providers: [
        ShutdownState,
        MetricsRegistry,
        DependencyMonitor,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useClass: JsonObjectBodyPipe },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [ShutdownState, MetricsRegistry, DependencyMonitor, LoggingModule, HttpModule],
    };
  }
}
