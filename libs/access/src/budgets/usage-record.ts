import type { BudgetSeed } from './budget-store.js';
import { hourStartMs, isoDay, type BudgetWindows } from './budget-windows.js';

/** One UTC day of a client's use. */
export interface DailyUsage {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  tokens: number;
  requests: number;
}

export interface UsageTotals {
  tokens: number;
  requests: number;
}

/**
 * The record of what each client spent, per hour, and its lifetime totals (never reset): the
 * budgets' seed when a store does not know a window, and what /v1/usage reads.
 */
export interface UsageRecord {
  /** Adds a settled request to the hour it was admitted in. Never throws, never waits. */
  add(clientId: string, hour: number, tokens: number, requests: number): void;
  /** Spent in the windows of `windows` (the day, the month, the last `rollingHours` hours). */
  spentIn(clientId: string, windows: BudgetWindows, rollingHours: number): Promise<BudgetSeed>;
  /** UTC days with any use from `fromMs` to `toMs` (exclusive; both at day starts), oldest first. */
  daily(clientId: string, fromMs: number, toMs: number): Promise<DailyUsage[]>;
  totals(clientId: string): Promise<UsageTotals>;
}

export const USAGE_RECORD = Symbol('USAGE_RECORD');

/** One hour of one client's use. */
export interface HourUsage {
  hour: number;
  tokens: number;
  requests: number;
}

/** The seed of the windows of `windows`, from hourly rows of the month and rolling span. */
export function seedFrom(
  hours: Iterable<HourUsage>,
  windows: BudgetWindows,
  span: number,
): BudgetSeed {
  const seed: BudgetSeed = { day: 0, month: 0, hours: [] };
  for (const { hour, tokens } of hours) {
    const start = hourStartMs(hour);
    if (start >= windows.day.startMs && start < windows.day.endMs) seed.day += tokens;
    if (start >= windows.month.startMs && start < windows.month.endMs) seed.month += tokens;
    if (hour >= windows.hour - span && hour <= windows.hour) seed.hours.push([hour, tokens]);
  }
  return seed;
}

/** Hourly rows summed per UTC day, oldest first. */
export function perDay(hours: Iterable<HourUsage>): DailyUsage[] {
  const days = new Map<string, DailyUsage>();
  for (const { hour, tokens, requests } of hours) {
    const date = isoDay(hourStartMs(hour));
    const day = days.get(date) ?? { date, tokens: 0, requests: 0 };
    day.tokens += tokens;
    day.requests += requests;
    days.set(date, day);
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}
