import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { TestDatabase } from '../support/servers.js';
import { ServiceProcess } from '../support/service-process.js';
import { isDescendant, only } from '../support/span-tree.js';

/** A history read from PostgreSQL, traced: the route, the history span and its SQL queries. */
describe('tracing a PostgreSQL-backed history read (process)', () => {
  let db: TestDatabase;
  let receiver: OtlpReceiver;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await TestDatabase.create();
    receiver = await OtlpReceiver.start();
    service = await ServiceProcess.start({
      DATABASE_URL: db.url,
      DATABASE_MIGRATE_ON_START: 'true',
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    await service.waitUntilLive(20_000);
  });
  afterAll(async () => {
    await service?.stop();
    await receiver?.stop();
    await db?.drop();
  });

  it('shows GET /queries/:id → history.get → the SELECT, in the caller’s trace', async () => {
    const prompt = 'a prompt kept in PostgreSQL, never in a span';
    const { id } = (await (await service.query({ prompt })).json()) as { id: string };
    const traceId = '7bf92f3577b34da6a3ce929d0e0e4736';
    // The record is written behind the answer, and until its row is in the table a read is
    // answered from the write buffer without SQL: wait for the row, then read it through the
    // service once untraced (the pool's connection opens) and once in the caller's trace.
    for (let i = 0; i < 100; i += 1) {
      const rows = await db.query('SELECT 1 FROM query_history WHERE id = $1', [id]);
      if (rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await db.query('SELECT 1 FROM query_history WHERE id = $1', [id])).toHaveLength(1);
    const warm = await fetch(`${service.url}/queries/${id}`);
    await warm.arrayBuffer();
    expect(warm.status).toBe(200);
    const traced = await fetch(`${service.url}/queries/${id}`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(traced.status).toBe(200);
    await traced.arrayBuffer();
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.name === 'GET /queries/:id'),
    );
    const spans = receiver.trace(traceId);
    const server = spans.filter((s) => s.name === 'GET /queries/:id').at(-1)!;
    const reads = spans.filter((s) => s.name === 'history.get' && isDescendant(spans, s, server));
    expect(reads).toHaveLength(1);
    expect(reads[0].attributes).toMatchObject({
      'history.backend': 'postgresql',
      'history.found': true,
    });
    const queries = spans.filter(
      (s) => s.scope === '@opentelemetry/instrumentation-pg' && isDescendant(spans, s, reads[0]),
    );
    expect(queries.length).toBeGreaterThan(0);
    expect(
      queries.some((s) =>
        String(s.attributes['db.query.text'] ?? s.attributes['db.statement']).startsWith('SELECT'),
      ),
    ).toBe(true);
    expect(
      only(
        spans.filter((s) => s.spanId === server.spanId),
        'GET /queries/:id',
      ).kind,
    ).toBe(2);
    // SQL parameters are not recorded: the prompt is nowhere.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(prompt);
  });
});
