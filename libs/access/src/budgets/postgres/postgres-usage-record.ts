import type { OnApplicationShutdown } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { DependencyMonitor, MetricsRegistry } from '@app/platform';
import type { DatabaseConnector } from '@app/platform/database';
import type { BudgetSeed } from '../budget-store.js';
import { hourStartMs, type BudgetWindows } from '../budget-windows.js';
import {
  perDay,
  seedFrom,
  seedFromHour,
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

// One statement, so an hour's row and the lifetime total never disagree. Additive: a batch
// whose acknowledgement is lost and is sent again counts twice (rare; the budgets err high).
const UPSERT = `
WITH hourly AS (
  INSERT INTO client_usage_hourly (client_id, hour, tokens, requests)
  SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::bigint[], $4::bigint[])
  ON CONFLICT (client_id, hour) DO UPDATE SET
    tokens = client_usage_hourly.tokens + EXCLUDED.tokens,
    requests = client_usage_hourly.requests + EXCLUDED.requests
)
INSERT INTO client_usage_totals (client_id, tokens, requests)
SELECT client_id, sum(tokens), sum(requests)
FROM unnest($1::varchar[], $3::bigint[], $4::bigint[]) AS t(client_id, tokens, requests)
GROUP BY client_id
ON CONFLICT (client_id) DO UPDATE SET
  tokens = client_usage_totals.tokens + EXCLUDED.tokens,
  requests = client_usage_totals.requests + EXCLUDED.requests`;

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
    const from = seedFromHour(windows, span);
    const rows = await this.hourly(clientId, hourStartMs(from), windows.month.endMs);
    return seedFrom([...rows, ...this.waiting(clientId)], windows, span);
  }

  async daily(clientId: string, fromMs: number, toMs: number): Promise<DailyUsage[]> {
    const rows = (await this.read(
      `SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date,
              sum(tokens)::float8 AS tokens, sum(requests)::float8 AS requests
       FROM client_usage_hourly WHERE client_id = $1 AND hour >= $2 AND hour < $3
       GROUP BY 1`,
      [clientId, new Date(fromMs), new Date(toMs)],
    )) as DailyUsage[];
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
    const [row] = (await this.read(
      'SELECT tokens::float8 AS tokens, requests::float8 AS requests FROM client_usage_totals WHERE client_id = $1',
      [clientId],
    )) as UsageTotals[];
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
    } catch (error) {
      for (const r of batch) this.add(r.clientId, r.hour, r.tokens, r.requests);
      this.monitor.report('database', false, error);
      this.stateChanged(true, error);
    }
  }

  private async hourly(clientId: string, fromMs: number, toMs: number): Promise<HourUsage[]> {
    const rows = (await this.read(
      `SELECT (extract(epoch FROM hour) / 3600)::int AS hour, tokens::float8 AS tokens,
              requests::float8 AS requests
       FROM client_usage_hourly WHERE client_id = $1 AND hour >= $2 AND hour < $3`,
      [clientId, new Date(fromMs), new Date(toMs)],
    )) as HourUsage[];
    return rows;
  }

  private waiting(clientId: string): Pending[] {
    return [...this.pending.values()].filter((r) => r.clientId === clientId);
  }

  private async read(sql: string, params: unknown[]): Promise<unknown[]> {
    if (!this.connector.isUsable) throw new Error('database not usable');
    return this.dataSource.query<unknown[]>(sql, params);
  }

  private stateChanged(failing: boolean, error?: unknown): void {
    if (failing === this.failing) return;
    this.failing = failing;
    if (failing)
      this.logger.warn({ err: error }, 'usage record not written: PostgreSQL failed (retrying)');
    else this.logger.info('usage record written again');
  }
}
