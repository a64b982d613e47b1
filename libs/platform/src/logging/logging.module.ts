import { Global, Module, type DynamicModule, type MiddlewareConsumer } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { Environment } from '../config/environment.js';
import { errorSerializer } from './log-fields.js';
import { ROOT_LOGGER, RequestLogMiddleware } from './request-log.middleware.js';
import { createRootLogger } from './root-logger.js';
import { RequestEvents } from '../http/request-context.js';

/**
 * Structured request and application logs (pino) on stdout, one line per request. Global, so
 * that its request middleware runs first, before nestjs-pino's (which binds the request's
 * logger for `PinoLogger`) and before every feature module's.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(env: Environment): DynamicModule {
    const root: Logger = createRootLogger(env);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // Our middleware sets `req.log`; nestjs-pino only binds it to the request context.
          useExisting: true,
          // nestjs-pino derives its logger for logs outside requests from this one. pino-http
          // wraps every `err` serializer in pino's own: errorSerializer accepts both forms.
          pinoHttp: { logger: root, serializers: { err: errorSerializer } },
        }),
      ],
      providers: [{ provide: ROOT_LOGGER, useValue: root }, RequestEvents, RequestLogMiddleware],
      exports: [LoggerModule, ROOT_LOGGER, RequestEvents],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLogMiddleware).forRoutes('{*path}');
  }
}
