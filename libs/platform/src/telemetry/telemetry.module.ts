import {
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { flushTelemetry } from './start-telemetry.js';
import { TraceResponseMiddleware } from './trace-response.middleware.js';

/**
 * Registered only when tracing is on (decided at the composition root): the `traceparent`
 * response header, and the export of queued spans when the application shuts down.
 */
@Module({ providers: [TraceResponseMiddleware] })
export class TelemetryModule implements NestModule, OnApplicationShutdown {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TraceResponseMiddleware).forRoutes('{*path}');
  }

  async onApplicationShutdown(): Promise<void> {
    await flushTelemetry();
  }
}
