import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { TestRedis } from '../support/servers.js';
import { ServiceProcess } from '../support/service-process.js';
import { isDescendant, only } from '../support/span-tree.js';
import { waitFor } from '../support/wait.js';

const IOREDIS = '@opentelemetry/instrumentation-ioredis';
const CLIENT = 3;

/**
 * A /query with Redis behind the response cache and the rate limits, traced: every Redis command
 * is a span in the caller's trace under the step that sent it, naming the command and nothing
 * else (keys carry a prompt's hash and the client's partition, values cached answers).
 */
describe('tracing Redis commands (process)', () => {
  let redis: TestRedis;
  let receiver: OtlpReceiver;
  let service: ServiceProcess;

  beforeAll(async () => {
    redis = await TestRedis.create();
    receiver = await OtlpReceiver.start();
    service = await ServiceProcess.start({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '1000',
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    await service.waitUntilLive(20_000);
    await waitFor('cache up', async () => {
      const ready = (await (await fetch(`${service.url}/ready`)).json()) as {
        checks: { cache?: string };
      };
      return ready.checks.cache === 'up';
    });
  });
  afterAll(async () => {
    await service?.stop();
    await receiver?.stop();
    await redis?.close();
  });

  const ask = async (prompt: string, traceId: string) => {
    const response = await service.query(
      { prompt },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(response.status).toBe(200);
    return response.headers.get('x-cache');
  };
  const redisSpans = (spans: ReceivedSpan[]) => spans.filter((s) => s.scope === IOREDIS);

  it('puts the cache and rate-limit commands under their steps, with the command name only', async () => {
    const prompt = 'a prompt whose hash keys the Redis cache, kept out of spans';
    const traceId = 'a1a2a3a4a5a6a7a8a9a0b1b2b3b4b5b6';
    expect(await ask(prompt, traceId)).toBe('MISS');
    // The cache write is not awaited by the answer: wait for its span too.
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.scope === IOREDIS && s.name === 'set'),
    );
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.name === 'POST /query'),
    );
    const spans = receiver.trace(traceId);
    const server = only(spans, 'POST /query');
    const access = only(spans, 'access');
    const lookup = only(spans, 'cache.lookup');
    expect(lookup.attributes).toMatchObject({ 'cache.backend': 'redis', 'cache.hit': false });

    const commands = redisSpans(spans);
    const get = commands.filter((s) => s.name === 'get');
    expect(get).toHaveLength(1);
    expect(get[0].parentSpanId).toBe(lookup.spanId);
    const set = commands.filter((s) => s.name === 'set');
    expect(set).toHaveLength(1);
    expect(isDescendant(spans, set[0], server)).toBe(true);
    // The rate-limit script (admit, then settle once the tokens are known).
    const scripts = commands.filter((s) => s.name.startsWith('eval'));
    expect(scripts.length).toBeGreaterThanOrEqual(1);
    expect(scripts.some((s) => isDescendant(spans, s, access))).toBe(true);
    for (const command of commands) {
      expect(command.kind).toBe(CLIENT);
      expect(isDescendant(spans, command, server)).toBe(true);
      expect(command.attributes['db.system.name']).toBe('redis');
      expect(command.attributes['db.query.text']).toBe(command.name);
    }
    const text = JSON.stringify(commands.map((s) => s.attributes));
    expect(text).not.toContain(redis.prefix);
    expect(text).not.toContain('cache:');
    expect(text).not.toContain('127.0.0.1:');
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(prompt);

    // A hit: the lookup's GET answers it, and nothing is written again.
    const hitTrace = 'c1c2c3c4c5c6c7c8c9c0d1d2d3d4d5d6';
    expect(await ask(prompt, hitTrace)).toBe('HIT');
    await receiver.waitFor((all) =>
      all.some((s) => s.traceId === hitTrace && s.name === 'POST /query'),
    );
    const hit = receiver.trace(hitTrace);
    const hitLookup = only(hit, 'cache.lookup');
    expect(hitLookup.attributes['cache.hit']).toBe(true);
    expect(redisSpans(hit).filter((s) => s.parentSpanId === hitLookup.spanId)).toHaveLength(1);
  });
});
