import { HttpStatus, Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProblemException } from '@app/platform';
import { ACCESS_CONFIG, type AccessConfig } from '../access.config.js';
import { WWW_AUTHENTICATE } from './credentials.js';

const BEARER = /^Bearer +(\S+) *$/i;

/** With METRICS_TOKEN set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
@Injectable()
export class MetricsTokenMiddleware implements NestMiddleware {
  private readonly expected: Buffer;

  constructor(@Inject(ACCESS_CONFIG) config: AccessConfig) {
    this.expected = digest(config.metricsToken ?? '');
  }

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (token === undefined || !timingSafeEqual(digest(token), this.expected)) {
      res.setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'A valid metrics token is required');
    }
    next();
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
