import { describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MetricsRegistry, RequestEvents, loadEnvironment, type Environment } from '@app/platform';
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
  const res = Object.assign(new EventEmitter(), {
    statusCode: status,
    req,
  }) as unknown as ServerResponse;
  return { req, res };
}

/** The metrics, subscribed to the request context's end events. */
function make() {
  const events = new RequestEvents();
  const metrics = new MetricsService(new MetricsRegistry(), configOf({}), events);
  return { events, metrics };
}

describe('HTTP metrics', () => {
  it('counts each request once, after its response, under its route template', async () => {
    const { events, metrics } = make();
    const { req, res } = exchange('POST', '/query', 201);
    const before = await metrics.render();
    expect(before).not.toContain('route="/query"');
    events.finished(req, res, 0.002);
    const after = await metrics.render();
    expect(after).toContain('http_requests_total{method="POST",route="/query",status="201"} 1');
    expect(after).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/query",status="201"\} 1/,
    );
  });

  it('labels unknown methods OTHER and requests without a route unmatched', async () => {
    const { events, metrics } = make();
    for (const method of ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'BREW']) {
      const { req, res } = exchange(method, undefined, 404);
      events.finished(req, res, 0.001);
    }
    const text = await metrics.render();
    for (const method of ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER'])
      expect(text).toContain(
        `http_requests_total{method="${method}",route="unmatched",status="404"} 1`,
      );
    expect(text).not.toContain('BREW');
  });

  it('records the duration the request context measured', async () => {
    const { events, metrics } = make();
    const { req, res } = exchange('GET', '/health', 200);
    events.finished(req, res, 0.03);
    const sum = /http_request_duration_seconds_sum\{[^}]*\} ([\d.e-]+)/.exec(
      await metrics.render(),
    );
    expect(Number(sum?.[1])).toBe(0.03);
  });
});
