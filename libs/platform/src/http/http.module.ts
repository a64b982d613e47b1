import {
  Inject,
  RequestMethod,
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import bodyParser from 'body-parser';
import type { Environment } from '../config/environment.js';
import { RequireJsonMiddleware } from './require-json.middleware.js';

const BODY_LIMIT = Symbol('BODY_LIMIT');
const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Request-body handling. Parsing runs as module middleware, after the (global) request
 * logger, so that malformed and oversized bodies are logged with their request id too.
 */
@Module({})
export class HttpModule implements NestModule {
  constructor(@Inject(BODY_LIMIT) private readonly bodyLimit: string) {}

  static forRoot(env: Environment): DynamicModule {
    return { module: HttpModule, providers: [{ provide: BODY_LIMIT, useValue: env.BODY_LIMIT }] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RequireJsonMiddleware, bodyParser.json({ limit: this.bodyLimit, type: JSON_TYPES }))
      // Only methods that carry a body: probes and other GETs skip both layers.
      .forRoutes(
        ...[RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH].map((method) => ({
          path: '{*path}',
          method,
        })),
      );
  }
}
