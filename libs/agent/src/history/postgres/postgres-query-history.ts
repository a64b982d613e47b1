import { HttpStatus, type BeforeApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PinoLogger } from 'nestjs-pino';
import { Counter, Gauge } from 'prom-client';
import type { DataSource, Repository } from 'typeorm';
import { type DependencyMonitor, type MetricsRegistry, ProblemException } from '@app/platform';
import type { DatabaseConnector } from '@app/platform/database';
import { decodeCursor, isAfter, newerFirst, pageOf } from '../pagination.js';
import { visibleTo, type HistoryPage, type QueryHistory } from '../query-history.js';
import type { QueryRecord } from '../query-record.js';
import { QueryRecordEntity } from './query-record.entity.js';

const BATCH_SIZE = 500;
const RETRY_MS = 500;
const SHUTDOWN_FLUSH_MS = 3_000;

/**
 * History in PostgreSQL behind a bounded write-behind buffer: requests never wait on (or fail
 * with) the database. Buffered records are written in batches as soon as the database is
 * usable, are visible to reads meanwhile, and are flushed on shutdown. When the buffer is
 * full the oldest records are dropped, counted and logged once.
 */
export class PostgresQueryHistory implements QueryHistory, BeforeApplicationShutdown {
  private readonly pending = new Map<string, QueryRecord>();
  private readonly repository: Repository<QueryRecord>;
  private flushing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private overflowing = false;
  private closed = false;
  private droppedSinceOverflow = 0;
  private readonly depth: Gauge;
  private readonly dropped: Counter;
  private readonly written: Counter;
  private readonly rejected: Counter;

  constructor(
    dataSource: DataSource,
    private readonly connector: DatabaseConnector,
    private readonly monitor: DependencyMonitor,
    registry: MetricsRegistry,
    private readonly logger: PinoLogger,
    private readonly capacity: number,
  ) {
    this.repository = dataSource.getRepository(QueryRecordEntity);
    this.depth = new Gauge({
      name: 'history_buffer_depth',
      help: 'History records waiting to be written to PostgreSQL.',
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'history_buffer_dropped_total',
      help: 'History records dropped because the write buffer was full.',
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'history_records_rejected_total',
      help: 'History records PostgreSQL refused (invalid data); dropped so they cannot block the rest.',
      registers: [registry],
    });
    this.written = new Counter({
      name: 'history_records_written_total',
      help: 'History records written to PostgreSQL.',
      registers: [registry],
    });
  }

  record(record: QueryRecord): void {
    if (this.pending.size >= this.capacity) this.dropOldest();
    this.pending.set(record.id, record);
    this.depth.set(this.pending.size);
    this.scheduleFlush(0);
  }

  async get(id: string, clientId?: string): Promise<QueryRecord | undefined> {
    const buffered = this.pending.get(id);
    if (buffered) return visibleTo(buffered, clientId) ? buffered : undefined;
    const where = clientId === undefined ? { id } : { id, clientId };
    return (await this.read(() => this.repository.findOneBy(where))) ?? undefined;
  }

  async list(limit: number, cursor?: string, clientId?: string): Promise<HistoryPage> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const stored = await this.read(() => {
      const query = this.repository
        .createQueryBuilder('q')
        .orderBy('q.createdAt', 'DESC')
        .addOrderBy('q.id', 'DESC')
        .limit(limit);
      if (clientId !== undefined) query.andWhere('q.client_id = :clientId', { clientId });
      if (after) query.andWhere('(q.created_at, q.id) < (:createdAt, :id)', after);
      return query.getMany();
    });
    // Buffered records are not in the table yet; merge them in so reads see every query.
    const merged = new Map(stored.map((r) => [r.id, r]));
    for (const r of this.pending.values()) {
      if (isAfter(r, after) && visibleTo(r, clientId)) merged.set(r.id, r);
    }
    return pageOf([...merged.values()].sort(newerFirst).slice(0, limit), limit);
  }

  /** On shutdown, write what is buffered; report what could not be written. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const deadline = Date.now() + SHUTDOWN_FLUSH_MS;
    while (this.pending.size > 0 && Date.now() < deadline && this.connector.isUsable) {
      const before = this.pending.size;
      await Promise.race([this.flush(), sleep(Math.max(0, deadline - Date.now()))]);
      if (this.pending.size === before) await sleep(100);
    }
    if (this.pending.size > 0) {
      this.logger.error(
        { unwritten: this.pending.size },
        'history records could not be written before shutdown',
      );
    }
  }

  private scheduleFlush(delayMs: number): void {
    if (this.closed || this.flushing || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, delayMs);
    // Never keep the process alive just to retry.
    this.retryTimer.unref();
  }

  private flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.scheduleFlush(RETRY_MS);
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && this.connector.isUsable) {
      const batch = this.nextBatch();
      try {
        await this.insert(batch);
      } catch (error) {
        if (!isDataError(error)) {
          this.monitor.report('database', false, error);
          return;
        }
        // One invalid row must not block the others: write them one by one, drop the refused.
        if (!(await this.insertOneByOne(batch))) return;
      }
      this.monitor.report('database', true);
      if (this.overflowing && this.pending.size < this.capacity) this.endOverflow();
    }
  }

  private nextBatch(): QueryRecord[] {
    const batch: QueryRecord[] = [];
    for (const record of this.pending.values()) {
      batch.push(record);
      if (batch.length === BATCH_SIZE) break;
    }
    return batch;
  }

  /** Idempotent: a batch retried after a lost acknowledgement is not duplicated. */
  private async insert(batch: QueryRecord[]): Promise<void> {
    await this.repository.createQueryBuilder().insert().values(batch).orIgnore().execute();
    this.settle(batch);
    this.written.inc(batch.length);
  }

  private async insertOneByOne(batch: QueryRecord[]): Promise<boolean> {
    for (const record of batch) {
      try {
        await this.insert([record]);
      } catch (error) {
        if (!isDataError(error)) {
          this.monitor.report('database', false, error);
          return false;
        }
        this.settle([record]);
        this.rejected.inc();
        this.logger.error({ err: error, id: record.id }, 'history record refused by PostgreSQL');
      }
    }
    return true;
  }

  private settle(records: QueryRecord[]): void {
    for (const r of records) this.pending.delete(r.id);
    this.depth.set(this.pending.size);
  }

  private async read<T>(query: () => Promise<T>): Promise<T> {
    if (!this.connector.isUsable) throw unavailable();
    try {
      return await query();
    } catch (error) {
      this.monitor.report('database', false, error);
      throw unavailable();
    }
  }

  private dropOldest(): void {
    const oldest = this.pending.keys().next().value;
    if (oldest !== undefined) this.pending.delete(oldest);
    this.dropped.inc();
    this.droppedSinceOverflow++;
    if (!this.overflowing) {
      this.overflowing = true;
      this.logger.warn(
        { capacity: this.capacity },
        'history buffer full: dropping the oldest unwritten records',
      );
    }
  }

  private endOverflow(): void {
    this.logger.warn({ dropped: this.droppedSinceOverflow }, 'history buffer has room again');
    this.overflowing = false;
    this.droppedSinceOverflow = 0;
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity): the row, not the server, is at fault. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

function unavailable(): ProblemException {
  return new ProblemException(
    HttpStatus.SERVICE_UNAVAILABLE,
    'Query history is temporarily unavailable',
  );
}
