import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Level } from 'pino';
import type { Environment } from '../config/environment.js';
import { assignRequestId } from './request-id.js';
import {
  PROBE_PATHS,
  errorSerializer,
  pathOf,
  requestSerializer,
  responseSerializer,
  routeOf,
} from './log-fields.js';

/** Structured request and application logs (pino) on stdout, one line per request. */
@Module({})
export class LoggingModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: env.LOG_LEVEL,
            base: { service: 'ai-agent-service', version: env.APP_VERSION },
            ...(env.LOG_FORMAT === 'pretty'
              ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
              : {}),
            genReqId: assignRequestId,
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
            serializers: { req: requestSerializer, res: responseSerializer, err: errorSerializer },
            customLogLevel: (req, res, err): Level => {
              if (err || res.statusCode >= 500) return 'error';
              if (PROBE_PATHS.has(pathOf(req.url))) return 'debug';
              return res.statusCode >= 400 ? 'warn' : 'info';
            },
            customSuccessObject: (req, _res, val: object) => ({ ...val, route: routeOf(req) }),
            customErrorObject: (req, _res, _err, val: object) => ({ ...val, route: routeOf(req) }),
            customSuccessMessage: () => 'request completed',
            customErrorMessage: () => 'request failed',
          },
        }),
      ],
    };
  }
}
