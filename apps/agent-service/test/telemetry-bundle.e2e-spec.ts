import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeLlmUpstream } from './support/fake-llm-upstream.js';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { ServiceProcess } from './support/service-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The esbuild bundle the image runs (docker/bundle.mjs), built from dist/ and run with an
 * exporter: modules inlined into a bundle escape instrumentation, so this checks that every
 * instrumented package still reports its spans from the bundle.
 */
describe('tracing in the production bundle', () => {
  const out = mkdtempSync(join(tmpdir(), 'agent-bundle-'));
  let receiver: OtlpReceiver;
  let upstream: FakeLlmUpstream;
  let service: ServiceProcess;

  beforeAll(async () => {
    const built = spawnSync(process.execPath, ['docker/bundle.mjs', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`bundle failed: ${built.stderr}`);
    receiver = await OtlpReceiver.start();
    upstream = await FakeLlmUpstream.start();
    service = await ServiceProcess.start(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        LLM_PROVIDER: 'openai',
        LLM_BASE_URL: upstream.url,
        LLM_API_KEY: 'sk-test',
        LLM_MODEL: 'bundled-model',
      },
      undefined,
      join(out, 'main.mjs'),
    );
    await service.waitUntilLive(20_000);
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
    await Promise.all([receiver?.stop(), upstream?.stop()]);
    rmSync(out, { recursive: true, force: true });
  });

  it('reports the spans of http, Express, Nest, fetch and the service itself in one trace', async () => {
    const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    const response = await service.query(
      { prompt: 'from the bundle' },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(response.status).toBe(200);
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.name === 'POST /query'),
    );
    const scopes = new Set(receiver.trace(traceId).map((s) => s.scope));
    expect([...scopes].sort()).toEqual([
      '@opentelemetry/instrumentation-express',
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-nestjs-core',
      '@opentelemetry/instrumentation-undici',
      'ai-agent-service',
    ]);
    expect(upstream.traceparents.at(-1)).toMatch(new RegExp(`^00-${traceId}-`));
  });
});
