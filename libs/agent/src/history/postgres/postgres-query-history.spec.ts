import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DependencyMonitor, MetricsRegistry, ProblemException } from '@app/platform';
import type { DatabaseConnector } from '@app/platform/database';
import type { QueryRecord } from '../query-record.js';
import { PostgresQueryHistory } from './postgres-query-history.js';

/** A stand-in for the TypeORM insert chain: stores rows, refusing the ones `refuse` names. */
function fakeDatabase(refuse: (r: QueryRecord) => Error | undefined, readError?: Error) {
  const stored: QueryRecord[] = [];
  const dataSource = {
    getRepository: () => ({
      findOneBy: ({ id }: { id: string }) =>
        readError ? Promise.reject(readError) : Promise.resolve(stored.find((r) => r.id === id)),
      createQueryBuilder: () => ({
        insert: () => ({
          values: (rows: QueryRecord[]) => ({
            orIgnore: () => ({
              execute: () => {
                const error = rows.map(refuse).find(Boolean);
                if (error) return Promise.reject(error);
                stored.push(...rows);
                return Promise.resolve();
              },
            }),
          }),
        }),
      }),
    }),
  } as unknown as DataSource;
  return { dataSource, stored };
}

/** The HTTP status a failed read answers with (0 when it did not fail). */
const statusOf = (read: Promise<unknown>): Promise<number> =>
  read.then(
    () => 0,
    (error: unknown) => (error instanceof ProblemException ? error.getStatus() : -1),
  );
const sqlError = (code: string) => Object.assign(new Error(`pg error ${code}`), { code });
const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() } as unknown as PinoLogger;
const record = (id: number): QueryRecord => ({
  id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  createdAt: new Date(1_700_000_000_000 + id),
  requestId: null,
  clientId: null,
  conversationId: null,
  outcome: 'answered',
  provider: 'builtin',
  model: 'builtin-echo',
  prompt: `p${id}`,
  response: `r${id}`,
  promptChars: 2,
  responseChars: 2,
  promptSha256: 'a'.repeat(64),
  maxTokens: 100,
  promptTokens: 1,
  completionTokens: 1,
  tokensUsed: 2,
  latencyMs: 1,
  cacheStatus: 'MISS',
});

describe('PostgresQueryHistory write-behind buffer', () => {
  let history: PostgresQueryHistory | undefined;
  afterEach(async () => {
    await history?.beforeApplicationShutdown();
  });

  const make = (refuse: (r: QueryRecord) => Error | undefined, readError?: Error) => {
    const db = fakeDatabase(refuse, readError);
    const registry = new MetricsRegistry();
    const monitor = new DependencyMonitor(registry, logger);
    const connector = { isUsable: true } as DatabaseConnector;
    history = new PostgresQueryHistory(db.dataSource, connector, monitor, registry, logger, {
      maxRecords: 100,
      maxBytes: 1024 * 1024,
    });
    return { ...db, registry, monitor };
  };
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('writes buffered records in the background', async () => {
    const { stored } = make(() => undefined);
    for (let i = 0; i < 3; i++) history!.record(record(i));
    await settle();
    expect(stored.map((r) => r.prompt)).toEqual(['p0', 'p1', 'p2']);
  });

  it('drops a record PostgreSQL refuses without holding back the others', async () => {
    const { stored, registry } = make((r) => (r.prompt === 'p1' ? sqlError('22021') : undefined));
    for (let i = 0; i < 3; i++) history!.record(record(i));
    await settle();
    expect(stored.map((r) => r.prompt)).toEqual(['p0', 'p2']);
    expect(await registry.getSingleMetricAsString('history_records_rejected_total')).toMatch(/ 1$/);
    expect(await registry.getSingleMetricAsString('history_buffer_depth')).toMatch(/ 0$/);
  });

  it('keeps records buffered (and readable) while the server is unreachable', async () => {
    let down = true;
    const { stored } = make(() => (down ? sqlError('08006') : undefined));
    history!.record(record(7));
    await settle();
    expect(stored).toHaveLength(0);
    expect((await history!.get(record(7).id))?.prompt).toBe('p7');
    down = false;
    await new Promise((r) => setTimeout(r, 700)); // the retry interval is 500 ms
    expect(stored.map((r) => r.prompt)).toEqual(['p7']);
  });

  it('reports the database down when the server fails a write, and up once it writes again', async () => {
    let down = true;
    const { registry } = make(() => (down ? sqlError('08006') : undefined));
    history!.record(record(1));
    await settle();
    expect(await registry.getSingleMetricAsString('dependency_up')).toMatch(/"database"} 0$/);
    down = false;
    await new Promise((r) => setTimeout(r, 700));
    expect(await registry.getSingleMetricAsString('dependency_up')).toMatch(/"database"} 1$/);
  });

  it('answers 400 to a read PostgreSQL refuses as bad data, without marking the database down', async () => {
    const { registry, monitor } = make(() => undefined, sqlError('22008'));
    monitor.report('database', true);
    expect(await statusOf(history!.get(record(9).id))).toBe(400);
    expect(await registry.getSingleMetricAsString('dependency_up')).toMatch(/"database"} 1$/);
  });

  it('answers 503 to a read the server fails, and marks the database down', async () => {
    const { registry } = make(() => undefined, sqlError('57P01'));
    expect(await statusOf(history!.get(record(3).id))).toBe(503);
    expect(await registry.getSingleMetricAsString('dependency_up')).toMatch(/"database"} 0$/);
  });
});
