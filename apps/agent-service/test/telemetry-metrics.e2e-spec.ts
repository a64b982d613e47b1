import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OtlpReceiver, type ReceivedPoint } from './support/otlp-receiver.js';
import { ServiceProcess } from './support/service-process.js';

/**
 * OTEL_METRICS_EXPORTER=otlp: the GenAI metrics (and the HTTP instrumentation's) are exported
 * over OTLP/HTTP under their OpenTelemetry names, while /metrics keeps serving Prometheus. Traces
 * are off here: metrics alone start the SDK.
 */
describe('metrics over OTLP (process → OTLP/HTTP receiver)', () => {
  let receiver: OtlpReceiver;
  let service: ServiceProcess;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    service = await ServiceProcess.start({
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: '200',
      OTEL_METRIC_EXPORT_TIMEOUT: '150',
    });
    await service.waitUntilLive(20_000);
  });
  afterAll(async () => {
    await service?.stop();
    await receiver?.stop();
  });

  const named = (points: ReceivedPoint[], metric: string) =>
    points.filter((p) => p.metric === metric);

  it('exports the GenAI histograms with their attributes, and keeps /metrics', async () => {
    const prompt = 'a prompt whose tokens are counted';
    expect((await service.query({ prompt })).status).toBe(200);
    await receiver.waitForPoints(
      (points) =>
        named(points, 'gen_ai.client.token.usage').length >= 2 &&
        named(points, 'gen_ai.server.request.duration').length > 0,
    );
    const usage = named(receiver.points, 'gen_ai.client.token.usage');
    expect(usage.every((p) => p.type === 'histogram' && p.unit === '{token}')).toBe(true);
    const types = new Set(usage.map((p) => p.attributes['gen_ai.token.type']));
    expect(types).toEqual(new Set(['input', 'output']));
    expect(usage[0].attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'builtin',
      'gen_ai.request.model': 'builtin-echo',
    });
    const duration = named(receiver.points, 'gen_ai.server.request.duration')[0];
    expect(duration).toMatchObject({ type: 'histogram', unit: 's' });
    expect(duration.count).toBeGreaterThanOrEqual(1);
    expect(named(receiver.points, 'gen_ai.server.time_to_first_token').length).toBeGreaterThan(0);
    // The HTTP server metric of the instrumentation, with the route template.
    await receiver.waitForPoints((points) =>
      named(points, 'http.server.request.duration').some(
        (p) => p.attributes['http.route'] === '/query',
      ),
    );
    expect(JSON.stringify(receiver.points)).not.toContain(prompt);
    // No spans: traces are off.
    expect(receiver.spans).toEqual([]);

    const scrape = await fetch(`${service.url}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toContain('gen_ai_client_token_usage_bucket{');
    expect(text).toContain('gen_ai_server_request_duration_seconds_count{');
  });
});
