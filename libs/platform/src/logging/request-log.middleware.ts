import { HttpStatus, Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level, Logger } from 'pino';
import { PROBE_PATHS, pathOf, routeOf } from './log-fields.js';
import { assignRequestId } from './request-id.js';
import { hasDuplicateHost } from '../http/host-header.js';
import { ProblemException } from '../http/problem.js';
import { elapsedMs, RequestEvents, startClock } from '../http/request-context.js';
import { RequestLogger } from './request-logger.js';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

// `clientId` is left by the access guard: an id from configuration, never the key.
type LoggedRequest = IncomingMessage & { id?: string; originalUrl?: string; clientId?: unknown };
type LoggedResponse = ServerResponse & { err?: unknown };

/**
 * The request's context: its id, its one clock, and its one `close` listener, which hands a
 * finished request to the {@link RequestEvents} subscribers (the HTTP metrics) and writes one
 * log line per request. No child logger per request (nestjs-pino's pino-http middleware builds two child
 * loggers and serializes the request into one of them on every request, logged or not); the
 * line is built only when its level is enabled. The fields are an allow-list: method, path
 * without query string, status, route template, duration, and the caller's client id.
 */
@Injectable()
export class RequestLogMiddleware implements NestMiddleware {
  private readonly onClose: (this: LoggedResponse) => void;

  constructor(
    @Inject(ROOT_LOGGER) private readonly root: Logger,
    events: RequestEvents,
  ) {
    const write = this.write.bind(this);
    this.onClose = function onClose(this: LoggedResponse) {
      const ms = elapsedMs(this);
      if (this.writableFinished) events.finished(this.req, this, ms / 1000);
      write(this, ms);
    };
  }

  use(req: LoggedRequest, res: LoggedResponse, next: () => void): void {
    const id = assignRequestId(req, res);
    req.id = id;
    // Read by nestjs-pino's context middleware, which runs next.
    (req as unknown as { log: unknown }).log = new RequestLogger(this.root, id);
    startClock(res);
    // 'close' follows 'finish' for every response, and also ends an aborted one.
    res.on('close', this.onClose);
    // Refused here, the first step with a request id and a log line, before any routing.
    if (hasDuplicateHost(req)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'Request has more than one Host header');
    }
    next();
  }

  private write(res: LoggedResponse, ms: number): void {
    const req = res.req as LoggedRequest;
    const aborted = !res.writableFinished;
    const status = res.statusCode;
    const level = levelOf(req, status, aborted);
    if (!this.root.isLevelEnabled(level)) return;
    const durationMs = Math.round(ms * 1000) / 1000;
    this.root[level](
      {
        requestId: req.id,
        req: { method: req.method, path: pathOf(req.originalUrl ?? req.url) },
        res: { status },
        durationMs,
        route: routeOf(req),
        ...(typeof req.clientId === 'string' ? { clientId: req.clientId } : {}),
        // Set by the problem-details filter on 5xx answers; serialized without its message.
        ...(status >= 500 && res.err !== undefined ? { err: res.err } : {}),
      },
      aborted ? 'request aborted' : status >= 500 ? 'request failed' : 'request completed',
    );
  }
}

function levelOf(req: IncomingMessage, status: number, aborted: boolean): Level {
  if (status >= 500) return 'error';
  if (PROBE_PATHS.has(pathOf(req.url))) return 'debug';
  return status >= 400 || aborted ? 'warn' : 'info';
}
