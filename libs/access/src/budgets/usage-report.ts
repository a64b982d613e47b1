import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/platform';
import type { ClientLimits } from '../keys/key-table.js';
import type { BudgetLedger } from './budget-ledger.js';
import { BUDGET_POLICIES, budgetsOf } from './budget-store.js';
import { isoDay, windowsAt } from './budget-windows.js';
import type { DailyUsage, UsageRecord } from './usage-record.js';

const DAY_MS = 86_400_000;
/** Longest range one report covers: a year (367 rows at most, whatever the data). */
const MAX_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Bounds of a report, as the caller sent them (each optional, `YYYY-MM-DD`). */
export interface UsageRange {
  from?: unknown;
  to?: unknown;
}

/** A client's usage report: what /v1/usage and /admin/usage answer (snake_case, as every body). */
export interface UsageReportBody {
  object: 'usage';
  client_id: string;
  from: string;
  to: string;
  days: DailyUsage[];
  total: { tokens: number; requests: number };
  lifetime: { tokens: number; requests: number };
  budgets: { policy: string; limit: number; used: number; remaining: number; resets_at: string }[];
}

/** Reads a client's usage from the record and its budgets from the ledger's configuration. */
export class UsageReport {
  constructor(
    private readonly record: UsageRecord,
    private readonly ledger: BudgetLedger,
    /** A configured client's limits (undefined: the defaults apply). */
    private readonly clientLimits: (clientId: string) => ClientLimits | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async report(clientId: string, range: UsageRange): Promise<UsageReportBody> {
    const windows = windowsAt(this.now());
    const fromMs = parseDay(range.from, 'from') ?? windows.month.startMs;
    const toMs = parseDay(range.to, 'to') ?? windows.day.startMs;
    if (toMs < fromMs) throw invalid('to must not be before from');
    if ((toMs - fromMs) / DAY_MS >= MAX_DAYS)
      throw invalid(`a report covers at most ${MAX_DAYS} days`);
    const limits = this.ledger.limitsFor(this.clientLimits(clientId));
    const [days, lifetime, spent] = await this.read(() =>
      Promise.all([
        this.record.daily(clientId, fromMs, toMs + DAY_MS),
        this.record.totals(clientId),
        this.record.spentIn(clientId, windows, limits.rollingHours),
      ]),
    );
    const used = [spent.day, spent.month, spent.hours.reduce((sum, [, t]) => sum + t, 0)];
    const resets = [windows.day.endMs, windows.month.endMs, (windows.hour + 1) * 3_600_000];
    return {
      object: 'usage',
      client_id: clientId,
      from: isoDay(fromMs),
      to: isoDay(toMs),
      days,
      total: days.reduce(
        (t, d) => ({ tokens: t.tokens + d.tokens, requests: t.requests + d.requests }),
        {
          tokens: 0,
          requests: 0,
        },
      ),
      lifetime,
      budgets: budgetsOf(limits).flatMap((limit, i) =>
        limit > 0
          ? [
              {
                policy: BUDGET_POLICIES[i],
                limit,
                used: used[i],
                remaining: Math.max(0, limit - used[i]),
                resets_at: new Date(resets[i]).toISOString(),
              },
            ]
          : [],
      ),
    };
  }

  private async read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch {
      throw new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'Usage is temporarily unavailable',
      );
    }
  }
}

/** A `YYYY-MM-DD` UTC day's start, or undefined when absent; anything else is a 400. */
function parseDay(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' && DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || isoDay(ms) !== value)
    throw invalid(`${name} must be a date such as 2026-01-31`);
  return ms;
}

function invalid(detail: string): ProblemException {
  return new ProblemException(HttpStatus.BAD_REQUEST, detail);
}
