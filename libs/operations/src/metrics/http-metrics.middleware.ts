import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeOf } from '@app/platform';
import { MetricsService } from './metrics.service.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const START = Symbol('metricsStart');

type TimedResponse = ServerResponse & { [START]?: number };

/**
 * Counts and times every request once its response has been sent. One shared listener per
 * response and no label object per request: the metric series of each (method, route, status)
 * are looked up once and kept (their number is bounded by the routes and status codes in use).
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly onFinish: (this: TimedResponse) => void;

  constructor(private readonly metrics: MetricsService) {
    this.onFinish = function onFinish(this: TimedResponse) {
      const req = this.req;
      const seconds = (performance.now() - (this[START] ?? 0)) / 1000;
      const method = KNOWN_METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER';
      metrics.observe(method, routeOf(req), this.statusCode, seconds);
    };
  }

  use(_req: IncomingMessage, res: TimedResponse, next: () => void): void {
    res[START] = performance.now();
    res.on('finish', this.onFinish);
    next();
  }
}
