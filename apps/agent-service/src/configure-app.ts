import type { NestExpressApplication } from '@nestjs/platform-express';
import { RATE_LIMIT_HEADER_NAMES } from '@app/access';
import helmet from 'helmet';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger } from 'nestjs-pino';
import { replayedHeaders, type Environment } from '@app/platform';
import { setupOpenApi } from './openapi.js';
import { StartupLogger } from './startup-logger.js';

/**
 * HTTP-level setup shared by the entry point and the end-to-end tests, so tests exercise the
 * same stack that production runs.
 */
export function configureApp(app: NestExpressApplication, env: Environment): void {
  // `Expect: 100-continue` goes through the request pipeline like any request: Node would
  // otherwise answer `100 Continue` at once, inviting a body the route may refuse (404, 405,
  // 413, 415). The body reader sends `100 Continue` when it is about to read.
  const server: Server = app.getHttpServer();
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) =>
    server.emit('request', req, res),
  );
  // A path with a broken percent-escape (`/%zz`) makes the router throw before the request
  // logger runs: no request id, no log line, the escape quoted back. Taken literally instead,
  // it simply matches no route and gets the usual 404.
  app.use((req: IncomingMessage, _res: ServerResponse, next: () => void) => {
    req.url = literalIfUndecodable(req.url ?? '/');
    next();
  });
  app.useLogger(new StartupLogger(app.get(Logger)));
  app.flushLogs();
  // ETags would hash every /query answer for nothing: responses are not cacheable by clients.
  app.set('etag', false);
  // No upgrade-insecure-requests: Swagger UI must load over plain HTTP inside a cluster. The
  // headers are fixed, so helmet's chain runs once and every response gets its result.
  app.use(
    replayedHeaders(
      helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }),
    ),
  );
  if (env.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: env.CORS_ORIGINS,
      exposedHeaders: ['X-Request-Id', 'X-Cache', ...RATE_LIMIT_HEADER_NAMES],
    });
  }
  if (env.DOCS_ENABLED) setupOpenApi(app, env);
}

function literalIfUndecodable(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.includes('%')) return url;
  try {
    decodeURIComponent(path);
    return url;
  } catch {
    return path.replaceAll('%', '%25') + (q === -1 ? '' : url.slice(q));
  }
}
