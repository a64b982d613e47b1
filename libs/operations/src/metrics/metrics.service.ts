import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type Counter, Gauge, type Histogram } from 'prom-client';
import {
  MetricsRegistry,
  RequestEvents,
  routeOf,
  type Environment,
  SeriesCounter,
  SeriesHistogram,
} from '@app/platform';
import type { IncomingMessage } from 'node:http';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * HTTP and identity metrics, and the exposition of the shared registry. Every request sent in
 * full is counted and timed once, from the request context's end event. Labels are bounded:
 * route templates (never raw paths), a fixed set of methods (others are OTHER), the status.
 */
@Injectable()
export class MetricsService {
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(
    private readonly registry: MetricsRegistry,
    @Inject(ConfigService) config: ConfigService<Environment, true>,
    events: RequestEvents,
  ) {
    events.onFinished((req, res, seconds) =>
      this.observe(methodOf(req), routeOf(req), res.statusCode, seconds),
    );
    const info = new Gauge({
      name: 'app_info',
      help: 'Version and environment of the running service (always 1).',
      labelNames: ['version', 'environment'],
      registers: [registry],
    });
    info.set(
      {
        version: config.get('APP_VERSION', { infer: true }),
        environment: config.get('ENVIRONMENT', { infer: true }),
      },
      1,
    );
    this.httpRequests = new SeriesCounter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.httpDuration = new SeriesHistogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** Counts one served request and records its duration. */
  observe(method: string, route: string, status: number, seconds: number): void {
    // Series metrics: the labels find their series without being hashed (see series-metrics).
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function methodOf(req: IncomingMessage): string {
  return KNOWN_METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER';
}
