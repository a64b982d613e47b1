import { HttpStatus, type BeforeApplicationShutdown } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { Counter } from 'prom-client';
import type { DataSource, Repository } from 'typeorm';
import { type DependencyMonitor, type MetricsRegistry, ProblemException } from '@app/platform';
import type { DatabaseConnector } from '@app/platform/database';
import { decodeCursor, isAfter, newerFirst, pageOf } from '../pagination.js';
import { visibleTo, type HistoryPage, type QueryHistory } from '../query-history.js';
import { estimateRecordBytes, type QueryRecord } from '../query-record.js';
import { WriteBehindBuffer } from '../write-behind-buffer.js';
import { QueryRecordEntity } from './query-record.entity.js';

/** How much the write-behind buffer may hold while PostgreSQL is unreachable. */
export interface HistoryBufferBounds {
  maxRecords: number;
  maxBytes: number;
}

/**
 * History in PostgreSQL behind a bounded write-behind buffer: requests never wait on (or fail
 * with) the database, and buffered records are visible to reads until they are written.
 */
export class PostgresQueryHistory implements QueryHistory, BeforeApplicationShutdown {
  private readonly buffer: WriteBehindBuffer<QueryRecord>;
  private readonly repository: Repository<QueryRecord>;
  private readonly written: Counter;
  private readonly rejected: Counter;

  constructor(
    dataSource: DataSource,
    private readonly connector: DatabaseConnector,
    private readonly monitor: DependencyMonitor,
    registry: MetricsRegistry,
    private readonly logger: PinoLogger,
    bounds: HistoryBufferBounds,
  ) {
    this.repository = dataSource.getRepository(QueryRecordEntity);
    this.buffer = new WriteBehindBuffer<QueryRecord>(
      {
        name: 'history',
        maxItems: bounds.maxRecords,
        maxBytes: bounds.maxBytes,
        keyOf: (r) => r.id,
        sizeOf: estimateRecordBytes,
        isWritable: () => this.connector.isUsable,
        write: (batch) => this.write(batch),
      },
      registry,
      logger,
    );
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
    this.buffer.add(record);
  }

  async get(id: string, clientId?: string): Promise<QueryRecord | undefined> {
    const buffered = this.buffer.get(id);
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
    for (const r of this.buffer.values()) {
      if (isAfter(r, after) && visibleTo(r, clientId)) merged.set(r.id, r);
    }
    return pageOf([...merged.values()].sort(newerFirst).slice(0, limit), limit);
  }

  /** On shutdown, write what is buffered (the buffer logs what could not be written). */
  beforeApplicationShutdown(): Promise<void> {
    return this.buffer.close();
  }

  /** Writes a batch; rejects (so the buffer retries) only when the server, not a row, failed. */
  private async write(batch: QueryRecord[]): Promise<void> {
    try {
      await this.insert(batch);
    } catch (error) {
      if (!isDataError(error)) throw this.serverFailed(error);
      // One invalid row must not block the others: write them one by one, drop the refused.
      await this.insertOneByOne(batch);
    }
    this.monitor.report('database', true);
  }

  /** Idempotent: a batch retried after a lost acknowledgement is not duplicated. */
  private async insert(batch: QueryRecord[]): Promise<void> {
    await this.repository.createQueryBuilder().insert().values(batch).orIgnore().execute();
    this.written.inc(batch.length);
  }

  private async insertOneByOne(batch: QueryRecord[]): Promise<void> {
    for (const record of batch) {
      try {
        await this.insert([record]);
      } catch (error) {
        if (!isDataError(error)) throw this.serverFailed(error);
        this.rejected.inc();
        this.logger.error({ err: error, id: record.id }, 'history record refused by PostgreSQL');
      }
    }
  }

  private serverFailed(error: unknown): unknown {
    this.monitor.report('database', false, error);
    return error;
  }

  private async read<T>(query: () => Promise<T>): Promise<T> {
    if (!this.connector.isUsable) throw unavailable();
    try {
      return await query();
    } catch (error) {
      if (isDataError(error)) throw invalidRequest();
      this.monitor.report('database', false, error);
      throw unavailable();
    }
  }
}

/**
 * SQLSTATE classes 22 (data exception) and 23 (integrity): the data, not the server, is at
 * fault. Such an error says nothing about the server's health.
 */
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

// Reached only if validation let through a value PostgreSQL refuses; fixed text, no input quoted.
function invalidRequest(): ProblemException {
  return new ProblemException(HttpStatus.BAD_REQUEST, 'The history query is not valid');
}
