import {
  budgetsOf,
  BUDGET_POLICIES,
  RESERVATION_TTL_MS,
  WINDOW_GRACE_MS,
  type BudgetCheck,
  type BudgetPolicy,
  type BudgetSeed,
  type HeldReservation,
} from './budget-store.js';
import { hourStartMs, rollingLeavesMs } from './budget-windows.js';

// The budget windows as the Redis script keeps them, one hash per window: `s` the tokens spent
// (day, month), `h:<hour>` the tokens spent in an hour (rolling), `r:<expiresAtMs>:<id>` one
// reservation. The in-memory store runs these functions; redis-budget-store.ts the same in Lua.
export type BudgetHash = Map<string, number>;

/** Names of the three windows' keys (the braces keep one client's keys on one cluster node). */
export function budgetKeys(held: HeldReservation): [string, string, string] {
  const base = `budget:v1:{${held.clientId}}`;
  return [`${base}:d:${held.windows.day.id}`, `${base}:m:${held.windows.month.id}`, `${base}:r`];
}

/** When each window's key may go: after its end (and the grace), or idle past the rolling span. */
export function keyExpiries(held: HeldReservation): [number, number, number] {
  const { windows, limits } = held;
  return [
    windows.day.endMs + WINDOW_GRACE_MS,
    windows.month.endMs + WINDOW_GRACE_MS,
    hourStartMs(windows.hour + limits.rollingHours + 2),
  ];
}

export function reservationField(nowMs: number, id: string): string {
  return `r:${nowMs + RESERVATION_TTL_MS}:${id}`;
}

export function reserveIn(hashes: (BudgetHash | undefined)[], held: HeldReservation): BudgetCheck {
  const budgets = budgetsOf(held.limits);
  const used: [number, number, number] = [0, 0, 0];
  if (budgets.some((b, i) => b > 0 && !hashes[i])) {
    return { outcome: 'unseeded', used, violated: [], rollingRetryMs: 0 };
  }
  const { nowMs, hour } = held.windows;
  const firstHour = hour - held.limits.rollingHours;
  const hours: [number, number][] = [];
  budgets.forEach((budget, i) => {
    const hash = hashes[i];
    if (budget <= 0 || !hash) return;
    for (const [name, value] of hash) {
      const [kind, at] = name.split(':');
      if (name === 's') used[i] += value;
      else if (kind === 'r' && Number(at) <= nowMs) hash.delete(name);
      else if (kind === 'r') used[i] += value;
      else if (kind === 'h' && Number(at) < firstHour) hash.delete(name);
      else if (kind === 'h') {
        used[i] += value;
        hours.push([Number(at), value]);
      }
    }
  });
  const violated: BudgetPolicy[] = [];
  budgets.forEach((budget, i) => {
    if (budget > 0 && exceeds(used[i], held.cost, budget)) violated.push(BUDGET_POLICIES[i]);
  });
  if (violated.length > 0) {
    const retry = violated.includes('tokens-rolling')
      ? rollingRetry(hours, used[2] + held.cost - budgets[2], held)
      : 0;
    return { outcome: 'refused', used, violated, rollingRetryMs: retry };
  }
  budgets.forEach((budget, i) => {
    if (budget <= 0) return;
    hashes[i]!.set(held.field, held.cost);
    used[i] += held.cost;
  });
  return { outcome: 'admitted', used, violated, rollingRetryMs: 0 };
}

/** A window already spent refuses even a request that reserves nothing. */
function exceeds(used: number, cost: number, budget: number): boolean {
  return used >= budget || used + cost > budget;
}

/** Until the oldest hours holding `needed` tokens have left the window (an hour at least). */
export function rollingRetry(
  hours: [number, number][],
  needed: number,
  held: HeldReservation,
): number {
  const { nowMs, hour } = held.windows;
  const span = held.limits.rollingHours;
  let freed = 0;
  for (const [h, tokens] of hours.sort((a, b) => a[0] - b[0])) {
    freed += tokens;
    if (freed >= needed) return rollingLeavesMs(h, span, nowMs);
  }
  // What is in flight (or the request itself) is more than the window frees: a full span.
  return rollingLeavesMs(hour, span, nowMs);
}

export function seedInto(
  hashes: (BudgetHash | undefined)[],
  held: HeldReservation,
  seed: BudgetSeed,
): BudgetHash[] {
  const fresh = (i: number, fill: (h: BudgetHash) => void) => {
    if (hashes[i]) return hashes[i];
    const hash: BudgetHash = new Map();
    fill(hash);
    return hash;
  };
  return [
    fresh(0, (h) => h.set('s', seed.day)),
    fresh(1, (h) => h.set('s', seed.month)),
    fresh(2, (h) => {
      h.set(`h:${held.windows.hour}`, 0);
      for (const [hour, tokens] of seed.hours)
        h.set(`h:${hour}`, (h.get(`h:${hour}`) ?? 0) + tokens);
    }),
  ];
}

export function settleIn(
  hashes: (BudgetHash | undefined)[],
  held: HeldReservation,
  tokens: number,
): void {
  hashes.forEach((hash, i) => {
    if (!hash) return; // never seeded (or expired): the record has it, a later seed reads it
    hash.delete(held.field);
    const field = i === 2 ? `h:${held.windows.hour}` : 's';
    hash.set(field, (hash.get(field) ?? 0) + tokens);
  });
}
