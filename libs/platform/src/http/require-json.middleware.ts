import { HttpStatus, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import typeIs from 'type-is';
import { ProblemException } from './problem.js';

/** Requests that carry a body must send it as JSON; anything else is a 415, not a confusing 400. */
@Injectable()
export class RequireJsonMiddleware implements NestMiddleware {
  use(req: IncomingMessage, _res: unknown, next: (error?: unknown) => void): void {
    const empty = req.headers['content-length'] === '0';
    if (!empty && typeIs.hasBody(req) && !typeIs(req, ['application/json', 'application/*+json'])) {
      next(
        new ProblemException(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          'Request body must be sent as application/json',
        ),
      );
      return;
    }
    next();
  }
}
