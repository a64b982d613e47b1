import { describe, expect, it } from '@jest/globals';
import { ConfigValidationError, loadEnvironment } from '../config/load-environment.js';
import { startTelemetry } from './start-telemetry.js';
import { metricsExported, telemetryEnabled, tracingEnabled } from './telemetry-settings.js';

const enabled = (raw: Record<string, string>) => tracingEnabled(loadEnvironment(raw));

describe('tracingEnabled', () => {
  it('is off with no OTEL_* variable, or with only a service name or resource', () => {
    expect(enabled({})).toBe(false);
    expect(enabled({ OTEL_SERVICE_NAME: 'x', OTEL_RESOURCE_ATTRIBUTES: 'a=b' })).toBe(false);
  });

  it('is on with an OTLP endpoint, a traces endpoint or a traces exporter', () => {
    expect(enabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(enabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
    expect(enabled({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
  });

  it('is off when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(enabled({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(enabled({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });

  it('starts nothing when off, or when the variables are invalid (the server reports those)', async () => {
    expect(await startTelemetry({})).toBe(false);
    expect(await startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toBe(false);
  });
});

describe('metricsExported', () => {
  const of = (raw: Record<string, string>) => loadEnvironment(raw);

  it('is off by default, with tracing on too: /metrics serves them', () => {
    expect(metricsExported(of({}))).toBe(false);
    expect(metricsExported(of({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }))).toBe(
      false,
    );
    expect(metricsExported(of({ OTEL_METRICS_EXPORTER: 'none' }))).toBe(false);
  });

  it('is on with OTEL_METRICS_EXPORTER=otlp, which runs the SDK without traces too', () => {
    const metricsOnly = of({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_TRACES_EXPORTER: 'none' });
    expect(metricsExported(metricsOnly)).toBe(true);
    expect(tracingEnabled(metricsOnly)).toBe(false);
    expect(telemetryEnabled(metricsOnly)).toBe(true);
    expect(telemetryEnabled(of({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }))).toBe(
      false,
    );
  });
});

describe('OTEL_* validation at boot', () => {
  it('names every invalid variable, and none of their values', () => {
    let error: unknown;
    try {
      loadEnvironment({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '2',
        OTEL_RESOURCE_ATTRIBUTES: 'no pairs here',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'udp',
        OTEL_BSP_MAX_QUEUE_SIZE: '0',
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const names = (error as ConfigValidationError).problems.map((p) => p.split(/[ :]/)[0]).sort();
    expect(names).toEqual([
      'OTEL_BSP_MAX_QUEUE_SIZE',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
      'OTEL_RESOURCE_ATTRIBUTES',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
    expect((error as Error).message).not.toContain('sometimes');
  });

  it('accepts the standard values', () => {
    const env = loadEnvironment({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,service.namespace=ai',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    });
    expect(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT).toBe(true);
    expect(env.OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_BYTES).toBe(4096);
    expect(env.OTEL_BSP_MAX_QUEUE_SIZE).toBe(2048);
  });
});
