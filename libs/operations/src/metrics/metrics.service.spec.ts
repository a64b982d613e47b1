import { describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { MetricsRegistry, RequestEvents, loadEnvironment, type Environment } from '@app/platform';
import { MetricsService } from './metrics.service.js';

/** The validated environment, as the module hands it to the controllers. */
function configOf(vars: Record<string, string>): ConfigService<Environment, true> {
  return new ConfigService<Environment, true>({ ...loadEnvironment(vars) });
}

function service(): { metrics: MetricsService; registry: MetricsRegistry } {
  const registry = new MetricsRegistry();
  const config = configOf({ APP_VERSION: '2.0.0', ENVIRONMENT: 'staging' });
  return { metrics: new MetricsService(registry, config, new RequestEvents()), registry };
}

describe('MetricsService', () => {
  it('publishes app_info with version and environment, always 1', async () => {
    const text = await service().metrics.render();
    expect(text).toContain('# HELP app_info Version and environment of the running service');
    expect(text).toContain('# TYPE app_info gauge');
    expect(text).toContain('app_info{version="2.0.0",environment="staging"} 1');
  });

  it('counts and times requests by method, route template and status', async () => {
    const { metrics } = service();
    const labels = { method: 'GET', route: '/queries/:id', status: '200' };
    metrics.httpRequests.inc(labels);
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, 0.003);
    const text = await metrics.render();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('http_requests_total{method="GET",route="/queries/:id",status="200"} 2');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.0025",method="GET",route="/queries/:id",status="200"} 0',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/queries/:id",status="200"} 1',
    );
    expect(text).toMatch(/http_request_duration_seconds_sum\{[^}]*\} 0\.003\n/);
  });

  it('uses the documented buckets, from 1 ms to 10 s', async () => {
    const { metrics } = service();
    metrics.httpDuration.observe({ method: 'GET', route: '/health', status: '200' }, 1);
    const les = [...(await metrics.render()).matchAll(/_bucket\{le="([^"]+)"/g)].map((m) => m[1]);
    expect(les).toEqual([
      '0.001',
      '0.0025',
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
  });

  it('renders the shared registry and its Prometheus text content type', async () => {
    const { metrics, registry } = service();
    expect(metrics.contentType).toBe(registry.contentType);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    // Process metrics move between two renders: compare what this service registered.
    const own = (text: string) => text.split('\n').filter((l) => /app_info|http_/.test(l));
    expect(own(await metrics.render())).toEqual(own(await registry.metrics()));
    expect(own(await metrics.render()).length).toBeGreaterThan(4);
  });
});
