import { LRUCache } from 'lru-cache';
import type { BudgetSeed } from './budget-store.js';
import { hourStartMs, type BudgetWindows } from './budget-windows.js';
import {
  perDay,
  seedFrom,
  type DailyUsage,
  type HourUsage,
  type UsageRecord,
  type UsageTotals,
} from './usage-record.js';

/** Hours kept per client: two months and a bit, enough for a month's budget and its report. */
const KEPT_HOURS = 64 * 24;

interface ClientUsage {
  hours: Map<number, HourUsage>;
  totals: UsageTotals;
}

/**
 * The usage record in process memory (without PostgreSQL): per client at most 64 days of
 * hourly rows (about 100 kB), for at most `maxClients` clients (least recently used dropped).
 */
export class InMemoryUsageRecord implements UsageRecord {
  private readonly clients: LRUCache<string, ClientUsage>;

  constructor(maxClients = 10_000) {
    this.clients = new LRUCache({ max: maxClients });
  }

  add(clientId: string, hour: number, tokens: number, requests: number): void {
    const usage: ClientUsage = this.clients.get(clientId) ?? {
      hours: new Map<number, HourUsage>(),
      totals: { tokens: 0, requests: 0 },
    };
    const row = usage.hours.get(hour) ?? { hour, tokens: 0, requests: 0 };
    row.tokens += tokens;
    row.requests += requests;
    usage.hours.set(hour, row);
    usage.totals.tokens += tokens;
    usage.totals.requests += requests;
    for (const old of usage.hours.keys()) {
      if (old > hour - KEPT_HOURS) break; // insertion order is (nearly) chronological
      usage.hours.delete(old);
    }
    this.clients.set(clientId, usage);
  }

  spentIn(clientId: string, windows: BudgetWindows, span: number): Promise<BudgetSeed> {
    return Promise.resolve(seedFrom(this.hoursOf(clientId), windows, span));
  }

  daily(clientId: string, fromMs: number, toMs: number): Promise<DailyUsage[]> {
    const hours = [...this.hoursOf(clientId)].filter(
      (h) => hourStartMs(h.hour) >= fromMs && hourStartMs(h.hour) < toMs,
    );
    return Promise.resolve(perDay(hours));
  }

  totals(clientId: string): Promise<UsageTotals> {
    const totals = this.clients.get(clientId)?.totals;
    return Promise.resolve({ tokens: totals?.tokens ?? 0, requests: totals?.requests ?? 0 });
  }

  private hoursOf(clientId: string): Iterable<HourUsage> {
    return this.clients.get(clientId)?.hours.values() ?? [];
  }
}
