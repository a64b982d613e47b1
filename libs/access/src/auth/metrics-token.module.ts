import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { ACCESS_CONFIG, type AccessConfig } from '../access.config.js';
import { MetricsTokenMiddleware } from './metrics-token.middleware.js';

/**
 * The metrics token check, in a module that is not global: Nest mounts the middleware of global
 * modules first, so from the global AccessModule the check could run before the request logger
 * and refuse with no request id, no log line and no metrics.
 */
@Module({})
export class MetricsTokenModule implements NestModule {
  static forRoot(config: AccessConfig): DynamicModule {
    return {
      module: MetricsTokenModule,
      providers: [{ provide: ACCESS_CONFIG, useValue: config }, MetricsTokenMiddleware],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(MetricsTokenMiddleware)
      .forRoutes({ path: 'metrics', method: RequestMethod.ALL });
  }
}
