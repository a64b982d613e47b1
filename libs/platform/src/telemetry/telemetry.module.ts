import {
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { flushTelemetry } from './start-telemetry.js';
import { TraceResponseMiddleware } from './trace-response.middleware.js';

/**
 * Registered only when the SDK runs (decided at the composition root): the `traceparent`
 * response header (none without a span), and the export of queued spans and metrics when the
 * application shuts down.
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
