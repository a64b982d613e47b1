import { describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MetricsRegistry, loadEnvironment, type Environment } from '@app/platform';
import { HttpMetricsMiddleware } from './http-metrics.middleware.js';
import { MetricsService } from './metrics.service.js';

/** The validated environment, as the module hands it to the controllers. */
function configOf(vars: Record<string, string>): ConfigService<Environment, true> {
  return new ConfigService<Environment, true>({ ...loadEnvironment(vars) });
}

function exchange(method: string, route: string | undefined, status: number) {
  const req = {
    method,
    ...(route ? { route: { path: route } } : {}),
  } as unknown as IncomingMessage;
  // Node links each response to its request (`res.req`), which the middleware reads.
  const res = Object.assign(new EventEmitter(), {
    statusCode: status,
    req,
  }) as unknown as ServerResponse;
  return { req, res };
}

describe('HttpMetricsMiddleware', () => {
  it('counts each request once, after its response, under its route template', async () => {
    const metrics = new MetricsService(new MetricsRegistry(), configOf({}));
    const middleware = new HttpMetricsMiddleware(metrics);
    const { req, res } = exchange('POST', '/query', 201);
    let nextCalled = 0;
    middleware.use(req, res, () => nextCalled++);
    expect(nextCalled).toBe(1);
    const before = await metrics.render();
    expect(before).not.toContain('route="/query"');
    res.emit('finish');
    const after = await metrics.render();
    expect(after).toContain('http_requests_total{method="POST",route="/query",status="201"} 1');
    expect(after).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/query",status="201"\} 1/,
    );
  });

  it('labels unknown methods OTHER and requests without a route unmatched', async () => {
    const metrics = new MetricsService(new MetricsRegistry(), configOf({}));
    const middleware = new HttpMetricsMiddleware(metrics);
    for (const method of ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'BREW']) {
      const { req, res } = exchange(method, undefined, 404);
      middleware.use(req, res, () => undefined);
      res.emit('finish');
    }
    const text = await metrics.render();
    for (const method of ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER'])
      expect(text).toContain(
        `http_requests_total{method="${method}",route="unmatched",status="404"} 1`,
      );
    expect(text).not.toContain('BREW');
  });

  it('times the request from arrival to finish', async () => {
    const metrics = new MetricsService(new MetricsRegistry(), configOf({}));
    const middleware = new HttpMetricsMiddleware(metrics);
    const { req, res } = exchange('GET', '/health', 200);
    middleware.use(req, res, () => undefined);
    await new Promise((r) => setTimeout(r, 30));
    res.emit('finish');
    const sum = /http_request_duration_seconds_sum\{[^}]*\} ([\d.e-]+)/.exec(
      await metrics.render(),
    );
    expect(Number(sum?.[1])).toBeGreaterThanOrEqual(0.025);
    expect(Number(sum?.[1])).toBeLessThan(5);
  });
});
