import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeOf } from '@app/platform';
import { MetricsService } from './metrics.service.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Counts and times every request once its response has been sent. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = {
        method: KNOWN_METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER',
        route: routeOf(req),
        status: String(res.statusCode),
      };
      this.metrics.httpRequests.inc(labels);
      this.metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  }
}
