import { HttpStatus, Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProblemException } from '@app/platform';
import { ACCESS_CONFIG, type AccessConfig } from '../access.config.js';
import { bearerMatches, tokenDigest } from './bearer-token.js';
import { WWW_AUTHENTICATE } from './credentials.js';

/** With METRICS_TOKEN set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
@Injectable()
export class MetricsTokenMiddleware implements NestMiddleware {
  private readonly expected: Buffer;

  constructor(@Inject(ACCESS_CONFIG) config: AccessConfig) {
    this.expected = tokenDigest(config.metricsToken ?? '');
  }

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (!bearerMatches(req.headers.authorization, this.expected)) {
      res.setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'A valid metrics token is required');
    }
    next();
  }
}
