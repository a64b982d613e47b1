import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  Global,
  Module,
  type DynamicModule,
  type INestApplication,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { MetricsRegistry, RequestEvents, ShutdownState, type ReadinessCheck } from '@app/platform';
import { OperationsModule } from './operations.module.js';

/**
 * What the platform module provides globally to the operations lib, with its request context
 * reduced to what the metrics read: the end of each request, sent in full.
 */
@Global()
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: [() => ({ APP_VERSION: '9.8.7', ENVIRONMENT: 'staging' })],
    }),
  ],
  providers: [ShutdownState, MetricsRegistry, RequestEvents],
  exports: [ShutdownState, MetricsRegistry, RequestEvents],
})
class FakePlatformModule implements NestModule {
  constructor(private readonly events: RequestEvents) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        res.on('finish', () => this.events.finished(req, res, 0.001));
        next();
      })
      .forRoutes('{*path}');
  }
}

const DATABASE_CHECK = Symbol('DATABASE_CHECK');
const PROVIDER_CHECKS = Symbol('PROVIDER_CHECKS');

/** A dependency module exporting one readiness check, or a list of them under one token. */
function dependency(token: symbol, value: ReadinessCheck | ReadinessCheck[]): DynamicModule {
  @Module({})
  class DependencyModule {}
  return {
    module: DependencyModule,
    providers: [{ provide: token, useValue: value }],
    exports: [token],
  };
}

const ok = (): Promise<void> => Promise.resolve();
const refused = (): Promise<void> => Promise.reject(new Error('connect ECONNREFUSED'));

describe('OperationsModule over HTTP', () => {
  let app: INestApplication;
  let base: string;

  // A fresh application per test: each starts from zero counts, and the wiring runs inside the test.
  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        FakePlatformModule,
        OperationsModule.forRoot({
          readiness: { timeoutMs: 500 },
          dependencies: [
            {
              module: dependency(DATABASE_CHECK, { name: 'database', required: true, ping: ok }),
              check: DATABASE_CHECK,
            },
            {
              // A token standing for a list of checks is flattened into the readiness checks.
              module: dependency(PROVIDER_CHECKS, [
                { name: 'llm:alpha', required: false, ping: ok },
                { name: 'llm:beta', required: false, ping: refused },
              ]),
              check: PROVIDER_CHECKS,
            },
          ],
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterEach(async () => {
    await app?.close();
  });

  it('answers /health from memory with the configured version', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy', version: '9.8.7' });
  });

  it('runs every configured check, flattening a list, on /ready', async () => {
    const res = await fetch(`${base}/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      ready: boolean;
      status: string;
      checks: Record<string, string>;
      details: Record<string, object>;
    };
    expect(body.ready).toBe(true);
    expect(body.status).toBe('degraded');
    expect(body.checks).toEqual({ database: 'up', cache: 'not_configured', api: 'responsive' });
    expect(body.details['llm:alpha']).toMatchObject({ status: 'up', required: false });
    expect(body.details['llm:beta']).toMatchObject({
      status: 'down',
      required: false,
      error: 'unavailable',
    });
  });

  it('answers 503 on /ready while shutting down', async () => {
    app.get(ShutdownState).begin();
    const res = await fetch(`${base}/ready`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { status: string }).status).toBe('shutting_down');
  });

  it('serves Prometheus text by default, uncached, with the service identity', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).toContain('app_info{version="9.8.7",environment="staging"} 1');
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('counts each served request by method, route template and status', async () => {
    await fetch(`${base}/health`);
    await fetch(`${base}/health`, { method: 'DELETE' });
    await fetch(`${base}/nowhere/at/all`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/health",status="200"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="DELETE",route="unmatched",status="404"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.001",method="GET",route="\/health",status="200"\}/,
    );
    // Durations are in seconds: a handful of local requests add up to well under one.
    const sum =
      /http_request_duration_seconds_sum\{method="GET",route="\/health",status="200"\} (\S+)/.exec(
        text,
      );
    expect(Number(sum?.[1])).toBeGreaterThan(0);
    expect(Number(sum?.[1])).toBeLessThan(1);
  });

  it('labels a method outside the known set OTHER', async () => {
    const http = await import('node:http');
    const url = new URL(`${base}/health`);
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'PROPFIND' },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{method="OTHER",route="unmatched",status="404"\} 1/);
    expect(text).not.toContain('method="PROPFIND"');
  });

  it.each([
    ['application/json', 'json'],
    ['Application/JSON', 'json'],
    ['application/json, text/plain', 'text'],
    ['application/json, application/openmetrics-text', 'text'],
    ['text/plain', 'text'],
    ['*/*', 'text'],
  ])('with Accept %s answers %s', async (accept, expected) => {
    const res = await fetch(`${base}/metrics`, { headers: { accept } });
    expect(res.status).toBe(200);
    if (expected === 'json') {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        app_name: 'AI Agent Service',
        version: '9.8.7',
        environment: 'staging',
      });
    } else {
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toContain('app_info{');
    }
  });
});
