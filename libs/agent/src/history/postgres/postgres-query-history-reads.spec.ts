import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { MetricsRegistry, ProblemException, type DependencyMonitor } from '@app/platform';
import type { DatabaseConnector } from '@app/platform/database';
import { encodeCursor } from '../pagination.js';
import type { QueryRecord } from '../query-record.js';
import { PostgresQueryHistory } from './postgres-query-history.js';

const record = (n: number, clientId: string | null = null): QueryRecord => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  createdAt: new Date(1_700_000_000_000 + n * 1000),
  requestId: null,
  clientId,
  conversationId: null,
  outcome: 'answered',
  provider: 'builtin',
  model: 'builtin-echo',
  prompt: `p${n}`,
  response: `r${n}`,
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
const sqlError = (code: unknown) => Object.assign(new Error('pg error'), { code });
/** Writes failing as if the server were down: records stay in the buffer. */
const failingWrites = () => Promise.reject(sqlError('08006'));

/**
 * A repository stand-in: reads answer with `rows` (recording how they were asked), inserts go
 * through `insert`, which may throw.
 */
function fakeRepository() {
  const calls: unknown[][] = [];
  const state = {
    rows: [] as QueryRecord[],
    readError: undefined as Error | undefined,
    insert: (rows: QueryRecord[]): Promise<void> => {
      state.inserted.push(rows.map((r) => r.prompt ?? ''));
      return Promise.resolve();
    },
    inserted: [] as string[][],
  };
  const read = <T>(value: () => T): Promise<T> =>
    state.readError ? Promise.reject(state.readError) : Promise.resolve(value());
  const select = {
    orderBy: (...args: unknown[]) => (calls.push(['orderBy', ...args]), select),
    addOrderBy: (...args: unknown[]) => (calls.push(['addOrderBy', ...args]), select),
    limit: (...args: unknown[]) => (calls.push(['limit', ...args]), select),
    andWhere: (...args: unknown[]) => (calls.push(['andWhere', ...args]), select),
    getMany: () => read(() => state.rows),
  };
  const repository = {
    findOneBy: (where: unknown) => {
      calls.push(['findOneBy', where]);
      return read(() => state.rows[0] ?? null);
    },
    createQueryBuilder: (alias?: string) => {
      if (alias !== undefined) {
        calls.push(['select', alias]);
        return select;
      }
      return {
        insert: () => ({
          values: (rows: QueryRecord[]) => ({
            orIgnore: () => ({ execute: () => state.insert(rows) }),
          }),
        }),
      };
    },
  };
  const dataSource = { getRepository: () => repository } as unknown as DataSource;
  return { dataSource, calls, state };
}

describe('PostgresQueryHistory reads', () => {
  let history: PostgresQueryHistory | undefined;
  let db: ReturnType<typeof fakeRepository> | undefined;
  afterEach(async () => {
    // Let what is buffered be written, so closing does not wait for its timeout.
    if (db) db.state.insert = () => Promise.resolve();
    await history?.beforeApplicationShutdown();
    history = undefined;
  });

  function make() {
    db = fakeRepository();
    const registry = new MetricsRegistry();
    const reports: unknown[][] = [];
    const monitor = {
      report: (...args: unknown[]) => reports.push(args),
    } as unknown as DependencyMonitor;
    const connector = { isUsable: true } as { isUsable: boolean };
    const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() };
    history = new PostgresQueryHistory(
      db.dataSource,
      connector as DatabaseConnector,
      monitor,
      registry,
      logger as unknown as PinoLogger,
      { maxRecords: 100, maxBytes: 1024 * 1024 },
    );
    return { ...db, registry, reports, connector, logger, history };
  }
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('lists stored records newest first, asking for one page', async () => {
    const { state, calls, history } = make();
    state.rows = [record(3), record(2)];
    const page = await history.list(2);
    expect(page.items.map((r) => r.prompt)).toEqual(['p3', 'p2']);
    expect(page.nextCursor).toBe(encodeCursor(record(2)));
    expect(calls).toEqual([
      ['select', 'q'],
      ['orderBy', 'q.createdAt', 'DESC'],
      ['addOrderBy', 'q.id', 'DESC'],
      ['limit', 2],
    ]);
  });

  it('asks for one client and for the records after the cursor only', async () => {
    const { calls, history } = make();
    const cursor = encodeCursor(record(5));
    expect(await history.list(10, cursor, 'acme')).toEqual({ items: [] });
    expect(calls.slice(4)).toEqual([
      ['andWhere', 'q.client_id = :clientId', { clientId: 'acme' }],
      [
        'andWhere',
        '(q.created_at, q.id) < (:createdAt, :id)',
        { createdAt: record(5).createdAt, id: record(5).id },
      ],
    ]);
  });

  it('merges buffered records into the page, in order, within the limit and the cursor', async () => {
    const { state, history } = make();
    state.insert = failingWrites; // records stay buffered
    history.record(record(4));
    history.record(record(6, 'beta'));
    history.record(record(1));
    await settle();
    state.rows = [record(5), record(3)];
    const all = await history.list(3);
    expect(all.items.map((r) => r.prompt)).toEqual(['p6', 'p5', 'p4']);
    const after = await history.list(10, encodeCursor(record(5)));
    // The table answers for itself (the fake ignores the cursor); buffered ones are filtered.
    expect(after.items.map((r) => r.prompt)).toEqual(['p5', 'p4', 'p3', 'p1']);
    state.rows = [];
    const beta = await history.list(10, undefined, 'beta');
    expect(beta.items.map((r) => r.prompt)).toEqual(['p6']);
  });

  it('lists a record both stored and still buffered once', async () => {
    const { state, history } = make();
    state.insert = failingWrites;
    history.record(record(2));
    await settle();
    state.rows = [record(2)];
    expect((await history.list(10)).items.map((r) => r.prompt)).toEqual(['p2']);
  });

  it('finds a buffered record without asking the database, only for its client', async () => {
    const { state, calls, history } = make();
    state.insert = failingWrites;
    history.record(record(1, 'acme'));
    await settle();
    expect((await history.get(record(1).id))?.prompt).toBe('p1');
    expect((await history.get(record(1).id, 'acme'))?.prompt).toBe('p1');
    expect(await history.get(record(1).id, 'beta')).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('looks a stored record up by id, and by client when one is given', async () => {
    const { state, calls, history } = make();
    expect(await history.get(record(9).id)).toBeUndefined();
    state.rows = [record(9)];
    expect((await history.get(record(9).id, 'acme'))?.prompt).toBe('p9');
    // Strict: no `clientId: undefined` in the first lookup.
    expect(calls).toStrictEqual([
      ['findOneBy', { id: record(9).id }],
      ['findOneBy', { id: record(9).id, clientId: 'acme' }],
    ]);
  });

  it('answers 503 without asking while the database is not usable', async () => {
    const { calls, history, connector } = make();
    connector.isUsable = false;
    for (const read of [history.get(record(1).id), history.list(10)]) {
      const error = await read.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProblemException);
      expect((error as ProblemException).getStatus()).toBe(503);
      expect((error as ProblemException).detail).toBe('Query history is temporarily unavailable');
    }
    expect(calls).toEqual([]);
  });

  it.each([
    ['22P02', 400],
    ['23505', 400],
    ['08006', 503],
    ['42P01', 503],
    ['42622', 503],
    ['2', 503],
    [22_001, 503],
    [undefined, 503],
  ])('answers a read failing with SQLSTATE %s with %i', async (code, status) => {
    const { state, history, reports } = make();
    state.readError = sqlError(code);
    const error = await history.list(10).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as ProblemException).getStatus()).toBe(status);
    if (status === 400) {
      expect((error as ProblemException).detail).toBe('The history query is not valid');
      expect(reports).toEqual([]);
    } else {
      expect(reports).toEqual([['database', false, state.readError]]);
    }
  });
});

describe('PostgresQueryHistory writes', () => {
  let history: PostgresQueryHistory | undefined;
  afterEach(async () => {
    await history?.beforeApplicationShutdown();
    history = undefined;
  });

  function make() {
    const db = fakeRepository();
    const registry = new MetricsRegistry();
    const reports: unknown[][] = [];
    const monitor = {
      report: (...args: unknown[]) => reports.push(args),
    } as unknown as DependencyMonitor;
    const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() };
    history = new PostgresQueryHistory(
      db.dataSource,
      { isUsable: true } as DatabaseConnector,
      monitor,
      registry,
      logger as unknown as PinoLogger,
      { maxRecords: 100, maxBytes: 1024 * 1024 },
    );
    const metric = async (name: string) =>
      Number((await registry.getSingleMetricAsString(name)).trim().split(' ').at(-1));
    return { ...db, reports, logger, metric, history };
  }
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('writes a batch in one insert, counts it and reports the database up', async () => {
    const { state, reports, metric, history } = make();
    for (let i = 0; i < 3; i++) history.record(record(i));
    await settle();
    expect(state.inserted).toEqual([['p0', 'p1', 'p2']]);
    expect(await metric('history_records_written_total')).toBe(3);
    expect(await metric('history_records_rejected_total')).toBe(0);
    expect(reports).toEqual([['database', true]]);
  });

  it('retries one by one after an integrity error, dropping and logging only the refused', async () => {
    const { state, metric, logger, history } = make();
    const duplicate = sqlError('23505');
    state.insert = (rows) => {
      if (rows.some((r) => r.prompt === 'p1')) return Promise.reject(duplicate);
      state.inserted.push(rows.map((r) => r.prompt ?? ''));
      return Promise.resolve();
    };
    for (let i = 0; i < 3; i++) history.record(record(i));
    await settle();
    expect(state.inserted).toEqual([['p0'], ['p2']]);
    expect(await metric('history_records_written_total')).toBe(2);
    expect(await metric('history_records_rejected_total')).toBe(1);
    expect(logger.error).toHaveBeenCalledWith(
      { err: duplicate, id: record(1).id },
      'history record refused by PostgreSQL',
    );
  });

  it('keeps the batch for a retry when the server fails while writing one by one', async () => {
    const { state, reports, metric, history } = make();
    const outage = sqlError('57P01');
    let attempt = 0;
    state.insert = (rows) => {
      attempt++;
      if (attempt === 1) return Promise.reject(sqlError('22021'));
      if (attempt === 2) return Promise.reject(outage);
      state.inserted.push(rows.map((r) => r.prompt ?? ''));
      return Promise.resolve();
    };
    history.record(record(1));
    history.record(record(2));
    await settle();
    expect(reports).toEqual([['database', false, outage]]);
    expect(await metric('history_records_rejected_total')).toBe(0);
    expect(await metric('history_buffer_depth')).toBe(2);
    await history.beforeApplicationShutdown();
    expect(state.inserted).toEqual([['p1', 'p2']]);
  });
});
