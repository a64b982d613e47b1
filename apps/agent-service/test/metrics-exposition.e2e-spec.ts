import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry, type OpenMetricsContentType } from 'prom-client';
import request from 'supertest';
import { MetricsRegistry } from '@app/platform';
import { expositionProblems } from './support/exposition.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * /metrics after every kind of answer has labelled its series: valid for a strict scraper, in
 * Prometheus text and in OpenMetrics alike (no two metrics that are one family there).
 */
describe('the /metrics exposition', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await request(t.server).post('/query').send({ prompt: 'count my tokens' }).expect(200);
    await request(t.server)
      .post('/v1/chat/completions')
      .send({ model: 'builtin-echo', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .expect(200);
  });
  afterAll(() => t?.close());

  it('is valid Prometheus text, with the GenAI histograms and the provider counters', async () => {
    const res = await request(t.server).get('/metrics').expect(200);
    expect(res.text).toContain('gen_ai_client_token_usage_bucket{');
    expect(res.text).toContain('gen_ai_client_tokens_total{');
    expect(res.text).toContain('gen_ai_server_request_duration_seconds_count{');
    expect(expositionProblems(res.text, false)).toEqual([]);
  });

  it('renders as valid OpenMetrics', async () => {
    // The service's own registry, switched to OpenMetrics for this rendering only.
    const registry = t.app.get<MetricsRegistry, Registry<OpenMetricsContentType>>(MetricsRegistry);
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    let text: string;
    try {
      text = await registry.metrics();
    } finally {
      registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE as OpenMetricsContentType);
    }
    expect(text).toContain('# TYPE gen_ai_client_tokens counter');
    expect(expositionProblems(text, true)).toEqual([]);
  });

  it('catches the clash a counter named after a histogram makes (the check can fail)', () => {
    const clash = [
      '# TYPE tokens histogram',
      'tokens_bucket{le="+Inf"} 1',
      'tokens_sum 3',
      'tokens_count 1',
      '# TYPE tokens_total counter',
      'tokens_total 3',
    ].join('\n');
    expect(expositionProblems(clash, false)).toEqual([
      'tokens_total and tokens are both family tokens',
    ]);
  });
});
