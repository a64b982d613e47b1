import { HttpStatus } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemException, type DependencyMonitor } from '@app/platform';
import type { DatabaseConnector } from '@app/platform/database';

const PURGE_EVERY_MS = 60_000;
const PURGE_BATCH = 1000;

type PurgedTable = 'conversations' | 'stored_responses';

/**
 * What the PostgreSQL stores of conversations and responses share: SQL only once the schema
 * is usable, a 503 (never the driver's text) when the server fails, and a periodic purge of
 * expired rows in bounded batches.
 */
export class PostgresAccess {
  private purger: NodeJS.Timeout | undefined;

  constructor(
    readonly dataSource: DataSource,
    private readonly connector: DatabaseConnector,
    private readonly monitor: DependencyMonitor,
    private readonly what: string,
    // Read at each call, so a test that fakes Date moves this clock too.
    readonly now: () => number = () => Date.now(),
  ) {}

  async sql<T = Record<string, unknown>>(text: string, params: unknown[]): Promise<T[]> {
    if (!this.connector.isUsable) throw this.unavailable();
    try {
      return await this.dataSource.query<T[]>(text, params);
    } catch (error) {
      this.monitor.report('database', false, error);
      throw this.unavailable();
    }
  }

  /** Deletes row `id` of `table` if it is `clientId`'s and not expired; whether it did. */
  async deleteOwned(table: PurgedTable, id: string, clientId: string | null): Promise<boolean> {
    const rows = await this.sql(
      `WITH d AS (DELETE FROM ${table}
         WHERE id = $1 AND client_id IS NOT DISTINCT FROM $2::varchar AND expires_at > $3
         RETURNING id) SELECT id FROM d`,
      [id, clientId, new Date(this.now())],
    );
    return rows.length > 0;
  }

  /** Deletes the expired rows of `table` every minute (a batch at a time) until stopped. */
  startPurging(table: PurgedTable): void {
    this.purger = setInterval(() => void this.purge(table), PURGE_EVERY_MS);
    this.purger.unref();
  }

  /** Deletes up to a batch of expired rows of `table`; the number deleted. */
  async purge(table: PurgedTable): Promise<number> {
    if (!this.connector.isUsable) return 0;
    const query = `WITH d AS (DELETE FROM ${table} WHERE id IN (
        SELECT id FROM ${table} WHERE expires_at <= $1 LIMIT ${PURGE_BATCH}) RETURNING id)
      SELECT count(*)::int AS n FROM d`;
    try {
      const [row] = await this.dataSource.query<{ n: number }[]>(query, [new Date(this.now())]);
      return row.n;
    } catch (error) {
      this.monitor.report('database', false, error);
      return 0;
    }
  }

  stopPurging(): void {
    clearInterval(this.purger);
  }

  /** A moment `seconds` from now. */
  after(seconds: number): Date {
    return new Date(this.now() + seconds * 1000);
  }

  private unavailable(): ProblemException {
    return new ProblemException(
      HttpStatus.SERVICE_UNAVAILABLE,
      `${this.what} are temporarily unavailable`,
    );
  }
}
