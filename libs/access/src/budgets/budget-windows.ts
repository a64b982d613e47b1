const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** One budget window: its identity (part of the Redis key) and where it ends. */
export interface BudgetWindow {
  /** `2026-12-06` for a day, `2026-12` for a month, `r` for the rolling window. */
  id: string;
  startMs: number;
  endMs: number;
}

/** The windows a moment falls in (UTC calendar day and month; the rolling window's hours). */
export interface BudgetWindows {
  nowMs: number;
  day: BudgetWindow;
  month: BudgetWindow;
  /** Index of the current hour since the epoch: the rolling window counts whole hours. */
  hour: number;
}

/** The UTC day and month containing `nowMs`: each starts at midnight UTC, the month on its 1st. */
export function windowsAt(nowMs: number): BudgetWindows {
  const date = new Date(nowMs);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const dayStart = Date.UTC(y, m, date.getUTCDate());
  const monthStart = Date.UTC(y, m, 1);
  const iso = date.toISOString();
  return {
    nowMs,
    day: { id: isoDay(nowMs), startMs: dayStart, endMs: dayStart + DAY_MS },
    // Date.UTC rolls month 12 over into January of the next year.
    month: { id: iso.slice(0, 7), startMs: monthStart, endMs: Date.UTC(y, m + 1, 1) },
    hour: Math.floor(nowMs / HOUR_MS),
  };
}

/** Start of an hour index, in epoch milliseconds. */
export function hourStartMs(hour: number): number {
  return hour * HOUR_MS;
}

/**
 * The hours the rolling window sums: the current one and the `hours` before it. Counting the
 * partly elapsed oldest hour whole errs on the side of the budget: no span of `hours` hours
 * ever holds more than the budget.
 */
export function rollingHours(
  windows: BudgetWindows,
  hours: number,
): { first: number; last: number } {
  return { first: windows.hour - hours, last: windows.hour };
}

/** Milliseconds until the rolling window has dropped hour `hour` (it leaves `hours + 1` later). */
export function rollingLeavesMs(hour: number, hours: number, nowMs: number): number {
  return hourStartMs(hour + hours + 1) - nowMs;
}

/** Seconds in a window (the `w` of its RateLimit-Policy). */
export function windowSeconds(window: BudgetWindow): number {
  return Math.round((window.endMs - window.startMs) / 1000);
}

/** The UTC date of a moment, `YYYY-MM-DD`. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
