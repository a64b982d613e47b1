import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DependencyMonitor, MetricsRegistry } from '@app/platform';
import type { DatabaseConnector } from '@app/platform/database';
import type { QueryRecord } from '../query-record.js';
import { PostgresQueryHistory } from './postgres-query-history.js';

/** A stand-in for the TypeORM insert chain: stores rows, refusing the ones `refuse` names. */
function fakeDatabase(refuse: (r: QueryRecord) => Error | undefined) {
  const stored: QueryRecord[] = [];
  const dataSource = {
    getRepository: () => ({
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

const sqlError = (code: string) => Object.assign(new Error(`pg error ${code}`), { code });
const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() } as unknown as PinoLogger;
const record = (id: number): QueryRecord => ({
  id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  createdAt: new Date(1_700_000_000_000 + id),
  requestId: null,
  clientId: null,
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

  const make = (refuse: (r: QueryRecord) => Error | undefined, capacity = 100) => {
    const db = fakeDatabase(refuse);
    const registry = new MetricsRegistry();
    const monitor = new DependencyMonitor(registry, logger);
    const connector = { isUsable: true } as DatabaseConnector;
    history = new PostgresQueryHistory(
      db.dataSource,
      connector,
      monitor,
      registry,
      logger,
      capacity,
    );
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

  it('drops the oldest records beyond its capacity and counts them', async () => {
    const { stored, registry } = make(() => sqlError('08006'), 2);
    for (let i = 0; i < 5; i++) history!.record(record(i));
    expect(stored).toHaveLength(0);
    expect(await registry.getSingleMetricAsString('history_buffer_dropped_total')).toMatch(/ 3$/);
    expect(await registry.getSingleMetricAsString('history_buffer_depth')).toMatch(/ 2$/);
    expect((await history!.get(record(4).id))?.prompt).toBe('p4');
  });
});
