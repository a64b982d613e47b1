import type { NestExpressApplication } from '@nestjs/platform-express';
import { RATE_LIMIT_HEADER_NAMES } from '@app/access';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { Environment } from '@app/platform';
import { setupOpenApi } from './openapi.js';

/**
 * HTTP-level setup shared by the entry point and the end-to-end tests, so tests exercise the
 * same stack that production runs.
 */
export function configureApp(app: NestExpressApplication, env: Environment): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // ETags would hash every /query answer for nothing: responses are not cacheable by clients.
  app.set('etag', false);
  // No upgrade-insecure-requests: Swagger UI must load over plain HTTP inside a cluster.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  if (env.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: env.CORS_ORIGINS,
      exposedHeaders: ['X-Request-Id', 'X-Cache', ...RATE_LIMIT_HEADER_NAMES],
    });
  }
  if (env.DOCS_ENABLED) setupOpenApi(app, env);
}
