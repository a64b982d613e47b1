import { LRUCache } from 'lru-cache';
import type { BudgetSeed } from './budget-store.js';
import { hourStartMs, isoDay, type BudgetWindows } from './budget-windows.js';
import type { DailyUsage, HourUsage, UsageRecord, UsageTotals } from './usage-record.js';

/** Days kept per client: this month and the last, for budgets and reports. */
const KEPT_DAYS = 62;
const DAY_MS = 86_400_000;

interface ClientUsage {
  /** The rolling window's hours only. */
  hours: Map<number, HourUsage>;
  days: Map<string, DailyUsage>;
  totals: UsageTotals;
}

/**
 * The usage record in process memory (without PostgreSQL), per replica: per client the hours
 * of the rolling window and 62 days (under 10 kB), for at most `maxClients` clients (the least
 * recently used is forgotten first).
 */
export class InMemoryUsageRecord implements UsageRecord {
  private readonly clients: LRUCache<string, ClientUsage>;

  constructor(
    private readonly rollingHours = 24,
    maxClients = 10_000,
  ) {
    this.clients = new LRUCache({ max: maxClients });
  }

  add(clientId: string, hour: number, tokens: number, requests: number): void {
    const usage: ClientUsage = this.clients.get(clientId) ?? {
      hours: new Map<number, HourUsage>(),
      days: new Map<string, DailyUsage>(),
      totals: { tokens: 0, requests: 0 },
    };
    const row = usage.hours.get(hour) ?? { hour, tokens: 0, requests: 0 };
    const date = isoDay(hourStartMs(hour));
    const day = usage.days.get(date) ?? { date, tokens: 0, requests: 0 };
    for (const counts of [row, day, usage.totals]) {
      counts.tokens += tokens;
      counts.requests += requests;
    }
    usage.hours.set(hour, row);
    usage.days.set(date, day);
    // Insertion order is (nearly) chronological: the oldest come first.
    for (const old of usage.hours.keys()) {
      if (old >= hour - this.rollingHours) break;
      usage.hours.delete(old);
    }
    const oldestDay = isoDay(hourStartMs(hour) - KEPT_DAYS * DAY_MS);
    for (const old of usage.days.keys()) {
      if (old > oldestDay) break;
      usage.days.delete(old);
    }
    this.clients.set(clientId, usage);
  }

  spentIn(clientId: string, windows: BudgetWindows, span: number): Promise<BudgetSeed> {
    const usage = this.clients.get(clientId);
    const seed: BudgetSeed = { day: 0, month: 0, hours: [] };
    for (const { date, tokens } of usage?.days.values() ?? []) {
      if (date === windows.day.id) seed.day += tokens;
      if (date.startsWith(windows.month.id)) seed.month += tokens;
    }
    for (const { hour, tokens } of usage?.hours.values() ?? []) {
      if (hour >= windows.hour - span && hour <= windows.hour) seed.hours.push([hour, tokens]);
    }
    return Promise.resolve(seed);
  }

  daily(clientId: string, fromMs: number, toMs: number): Promise<DailyUsage[]> {
    const [from, to] = [isoDay(fromMs), isoDay(toMs - 1)];
    const days = [...(this.clients.get(clientId)?.days.values() ?? [])]
      .filter((d) => d.date >= from && d.date <= to)
      .map((d) => ({ ...d }));
    return Promise.resolve(days.sort((a, b) => a.date.localeCompare(b.date)));
  }

  totals(clientId: string): Promise<UsageTotals> {
    const totals = this.clients.get(clientId)?.totals;
    return Promise.resolve({ tokens: totals?.tokens ?? 0, requests: totals?.requests ?? 0 });
  }
}
