import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { freePort, ServiceProcess } from './support/service-process.js';

const QUEUE = 16;
const STALL_MS = 5_000;

/** Sends `count` queries, `concurrency` at a time; returns each one's status and duration. */
async function load(service: ServiceProcess, count: number, concurrency: number) {
  const results: { status: number; ms: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const started = performance.now();
      const response = await service.query({ prompt: `prompt ${next}` });
      await response.arrayBuffer();
      results.push({ status: response.status, ms: performance.now() - started });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/**
 * An exporter that is slow (every export held for seconds) or down (nothing listening) never
 * slows or fails a request: spans wait in a queue of OTEL_BSP_MAX_QUEUE_SIZE and the rest are
 * dropped.
 */
describe('tracing with an exporter that is slow or down', () => {
  let receiver: OtlpReceiver;
  let slow: ServiceProcess;
  let down: ServiceProcess;
  const traced = {
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_MAX_QUEUE_SIZE: String(QUEUE),
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: String(QUEUE),
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    LOG_LEVEL: 'warn',
    CACHE_TTL_SECONDS: '0',
  };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    receiver.stallMs = STALL_MS;
    slow = await ServiceProcess.start({
      ...traced,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    });
    down = await ServiceProcess.start({
      ...traced,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
    await Promise.all([slow.waitUntilLive(20_000), down.waitUntilLive(20_000)]);
    // The first query loads the tokenizer: not what is measured here.
    await Promise.all([load(slow, 1, 1), load(down, 1, 1)]);
  });
  afterAll(async () => {
    await Promise.all([slow?.stop(), down?.stop()]);
    await receiver?.stop();
  });

  it('answers every request at once while exports stall, and drops spans beyond the queue', async () => {
    const results = await load(slow, 200, 8);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    // Exports are held 5 s each: a request that waited on one would take at least that long
    // (the margin below it is for a busy machine).
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(STALL_MS - 1_000);
    // Each export carries at most a queue's worth, and most spans were dropped rather than
    // queued: a request makes at least 6 (server, 2 Express, 2 Nest, access, chat, history), so
    // 200 made over 1,200, of which exports timing out every 500 ms let through a few per turn.
    expect(receiver.batches.length).toBeGreaterThan(0);
    expect(Math.max(...receiver.batches)).toBeLessThanOrEqual(QUEUE);
    expect(receiver.spans.length).toBeLessThan(600);
  });

  it('answers every request when nothing listens at the exporter’s endpoint', async () => {
    const results = await load(down, 100, 8);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    // The exporter's own timeout is 500 ms per attempt; no request waits on one.
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(STALL_MS - 1_000);
  });
});
