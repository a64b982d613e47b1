import type { OnApplicationShutdown } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { DependencyMonitor, MetricsRegistry } from '@app/platform';
import type { DatabaseConnector } from '@app/platform/database';
import type { BudgetSeed } from '../budget-store.js';
import { hourStartMs, isoDay, type BudgetWindows } from '../budget-windows.js';
import {
  perDay,
  seedFrom,
  type DailyUsage,
  type HourUsage,
  type UsageRecord,
  type UsageTotals,
} from '../usage-record.js';

interface Pending extends HourUsage {
  clientId: string;
}

/** Rows (client, hour) waiting to be written; each is under 200 bytes, so about 10 MB at most. */
const MAX_PENDING = 50_000;
const FLUSH_MS = 1_000;

// One statement, so the hour, the day and the lifetime total never disagree. Additive: a batch
// whose acknowledgement is lost and is sent again counts twice (rare; the budgets err high).
const UPSERT = `
WITH batch AS (
  SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::bigint[], $4::bigint[])
    AS b(client_id, hour, tokens, requests)
), hourly AS (
  INSERT INTO client_usage_hourly (client_id, hour, tokens, requests)
  SELECT * FROM batch
  ON CONFLICT (client_id, hour) DO UPDATE SET
    tokens = client_usage_hourly.tokens + EXCLUDED.tokens,
    requests = client_usage_hourly.requests + EXCLUDED.requests
), daily AS (
  INSERT INTO client_usage_daily (client_id, day, tokens, requests)
  SELECT client_id, (hour AT TIME ZONE 'UTC')::date, sum(tokens), sum(requests) FROM batch GROUP BY 1, 2
  ON CONFLICT (client_id, day) DO UPDATE SET
    tokens = client_usage_daily.tokens + EXCLUDED.tokens,
    requests = client_usage_daily.requests + EXCLUDED.requests
)
INSERT INTO client_usage_totals (client_id, tokens, requests)
SELECT client_id, sum(tokens), sum(requests) FROM batch GROUP BY 1
ON CONFLICT (client_id) DO UPDATE SET
  tokens = client_usage_totals.tokens + EXCLUDED.tokens,
  requests = client_usage_totals.requests + EXCLUDED.requests`;

/** Hours older than the longest rolling window (720 h) and a day serve nothing: pruned hourly. */
const KEPT_HOURS_MS = 31 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The usage record in PostgreSQL, written behind: settled requests add to per-(client, hour)
 * rows in memory, flushed once a second in one statement. While PostgreSQL is unreachable the
 * rows wait (bounded; beyond the bound new use is dropped and counted). Reads merge what waits.
 */
export class PostgresUsageRecord implements UsageRecord, OnApplicationShutdown {
  private pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private failing = false;
  private prunedAt = 0;
  private readonly dropped: Counter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connector: DatabaseConnector,
    private readonly monitor: DependencyMonitor,
    registry: MetricsRegistry,
    private readonly logger: PinoLogger,
  ) {
    this.dropped = new Counter({
      name: 'budget_usage_dropped_total',
      help: 'Settled requests left out of the usage record because too much waited for PostgreSQL.',
      registers: [registry],
    });
    this.timer = setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  add(clientId: string, hour: number, tokens: number, requests: number): void {
    const key = `${clientId}\u0000${hour}`;
    const row = this.pending.get(key);
    if (row) {
      row.tokens += tokens;
      row.requests += requests;
    } else if (this.pending.size < MAX_PENDING) {
      this.pending.set(key, { clientId, hour, tokens, requests });
    } else {
      this.dropped.inc();
    }
  }

  async spentIn(clientId: string, windows: BudgetWindows, span: number): Promise<BudgetSeed> {
    const [days, hours] = await Promise.all([
      this.read<{ date: string; tokens: number }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS date, tokens::float8 AS tokens
         FROM client_usage_daily WHERE client_id = $1 AND day >= $2::date AND day < $3::date`,
        [clientId, isoDay(windows.month.startMs), isoDay(windows.month.endMs)],
      ),
      this.read<HourUsage>(
        `SELECT (extract(epoch FROM hour) / 3600)::int AS hour, tokens::float8 AS tokens,
                requests::float8 AS requests
         FROM client_usage_hourly WHERE client_id = $1 AND hour >= $2 AND hour <= $3`,
        [clientId, new Date(hourStartMs(windows.hour - span)), new Date(hourStartMs(windows.hour))],
      ),
    ]);
    // What waits is in neither table yet: it counts in every window it falls in.
    const seed = seedFrom(this.waiting(clientId), windows, span);
    for (const { date, tokens } of days) {
      seed.month += tokens;
      if (date === windows.day.id) seed.day += tokens;
    }
    seed.hours.push(...hours.map((h): [number, number] => [h.hour, h.tokens]));
    return seed;
  }

  async daily(clientId: string, fromMs: number, toMs: number): Promise<DailyUsage[]> {
    const rows = await this.read<DailyUsage>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS date, tokens::float8 AS tokens,
              requests::float8 AS requests
       FROM client_usage_daily WHERE client_id = $1 AND day >= $2::date AND day <= $3::date`,
      // Every day with an hour in the range (the last one may be a partial day).
      [clientId, isoDay(fromMs), isoDay(toMs - 1)],
    );
    const waiting = this.waiting(clientId).filter(
      (h) => hourStartMs(h.hour) >= fromMs && hourStartMs(h.hour) < toMs,
    );
    const merged = new Map(rows.map((d) => [d.date, { ...d }]));
    for (const day of perDay(waiting)) {
      const known = merged.get(day.date);
      if (known) {
        known.tokens += day.tokens;
        known.requests += day.requests;
      } else merged.set(day.date, day);
    }
    return [...merged.values()].sort((a, b) => a.date.localeCompare(b.date));
  }

  async totals(clientId: string): Promise<UsageTotals> {
    const [row] = await this.read<UsageTotals>(
      'SELECT tokens::float8 AS tokens, requests::float8 AS requests FROM client_usage_totals WHERE client_id = $1',
      [clientId],
    );
    const totals = { tokens: row?.tokens ?? 0, requests: row?.requests ?? 0 };
    for (const h of this.waiting(clientId)) {
      totals.tokens += h.tokens;
      totals.requests += h.requests;
    }
    return totals;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes what waits; on failure it waits for the next round (merged with newer use). */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0 || !this.connector.isUsable) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.dataSource.query(UPSERT, [
        batch.map((r) => r.clientId),
        batch.map((r) => new Date(hourStartMs(r.hour))),
        batch.map((r) => r.tokens),
        batch.map((r) => r.requests),
      ]);
      this.stateChanged(false);
      await this.prune();
    } catch (error) {
      for (const r of batch) this.add(r.clientId, r.hour, r.tokens, r.requests);
      this.monitor.report('database', false, error);
      this.stateChanged(true, error);
    }
  }

  private waiting(clientId: string): Pending[] {
    return [...this.pending.values()].filter((r) => r.clientId === clientId);
  }

  private async read<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (!this.connector.isUsable) throw new Error('database not usable');
    return this.dataSource.query<T[]>(sql, params);
  }

  /** Drops hours no window reads any more; a failure waits for the next round. */
  private async prune(): Promise<void> {
    if (Date.now() - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = Date.now();
    await this.dataSource
      .query('DELETE FROM client_usage_hourly WHERE hour < $1', [
        new Date(Date.now() - KEPT_HOURS_MS),
      ])
      .catch(() => undefined);
  }

  private stateChanged(failing: boolean, error?: unknown): void {
    if (failing === this.failing) return;
    this.failing = failing;
    if (failing)
      this.logger.warn({ err: error }, 'usage record not written: PostgreSQL failed (retrying)');
    else this.logger.info('usage record written again');
  }
}
