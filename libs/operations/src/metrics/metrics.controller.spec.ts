import { describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { MetricsRegistry, RequestEvents, loadEnvironment, type Environment } from '@app/platform';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/** The validated environment, as the module hands it to the controllers. */
function configOf(vars: Record<string, string>): ConfigService<Environment, true> {
  return new ConfigService<Environment, true>({ ...loadEnvironment(vars) });
}

class FakeResponse {
  readonly headers: Record<string, string> = {};
  status(): this {
    return this;
  }
  header(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }
}

describe('MetricsController', () => {
  const config = configOf({ APP_VERSION: '3.1.4', ENVIRONMENT: 'production' });
  const metrics = new MetricsService(new MetricsRegistry(), config, new RequestEvents());
  const controller = new MetricsController(metrics, config);
  const summary = { app_name: 'AI Agent Service', version: '3.1.4', environment: 'production' };

  it.each(['application/json', 'Application/JSON', 'application/json, */*;q=0.1'])(
    'answers the JSON summary for Accept: %s',
    async (accept) => {
      const res = new FakeResponse();
      expect(await controller.metricsText(accept, res)).toEqual(summary);
      expect(res.headers).toEqual({});
    },
  );

  it.each([
    undefined,
    '',
    '*/*',
    'text/plain',
    'application/json, text/plain',
    'application/openmetrics-text; version=1.0.0, application/json',
  ])('answers Prometheus text for Accept: %s', async (accept) => {
    const res = new FakeResponse();
    const body = await controller.metricsText(accept, res);
    expect(typeof body).toBe('string');
    expect(body).toContain('app_info{version="3.1.4",environment="production"} 1');
    expect(res.headers).toEqual({ 'Content-Type': metrics.contentType });
  });
});
