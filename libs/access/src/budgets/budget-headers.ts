import type { ServerResponse } from 'node:http';
import { seconds } from '../limits/rate-limit-headers.js';
import { BUDGET_POLICIES, budgetsOf, type BudgetPolicy } from './budget-store.js';
import type { BudgetState } from './budget-ledger.js';
import { rollingLeavesMs, windowSeconds } from './budget-windows.js';

/** Milliseconds until a refusal lifts: the latest reset among the budgets it violated. */
export function retryAfterMs(state: BudgetState): number {
  return Math.max(0, ...(state.check?.violated ?? []).map((p) => resetMs(state, p)));
}

/** Until the window of `policy` gives tokens back: its end, or the rolling window's next hour. */
function resetMs(state: BudgetState, policy: BudgetPolicy): number {
  const { day, month, nowMs, hour } = state.windows;
  if (policy === 'tokens-per-day') return day.endMs - nowMs;
  if (policy === 'tokens-per-month') return month.endMs - nowMs;
  return (
    state.check?.rollingRetryMs ||
    rollingLeavesMs(hour - state.limits.rollingHours, state.limits.rollingHours, nowMs)
  );
}

/**
 * The budgets as items of the IETF draft's `RateLimit-Policy` / `RateLimit` lists, beside the
 * per-minute `"requests"` item: `q` the budget, `w` the window in seconds (this month's length
 * for the month), `r` what is left, `t` seconds until the window resets. `qu="tokens"` says the
 * quota is counted in tokens (the draft's default unit is requests).
 */
export function budgetHeaderItems(state: BudgetState): { policy: string[]; limit: string[] } {
  const policy: string[] = [];
  const limit: string[] = [];
  const used = state.check?.used;
  if (!used) return { policy, limit };
  const windows = [
    windowSeconds(state.windows.day),
    windowSeconds(state.windows.month),
    state.limits.rollingHours * 3600,
  ];
  budgetsOf(state.limits).forEach((budget, i) => {
    if (budget <= 0) return;
    const name = BUDGET_POLICIES[i];
    policy.push(`"${name}";q=${budget};qu="tokens";w=${windows[i]}`);
    const left = Math.max(0, budget - used[i]);
    limit.push(`"${name}";r=${left};t=${seconds(resetMs(state, name))}`);
  });
  return { policy, limit };
}

/** Adds the budgets' items to the rate-limit fields already set (Structured Fields lists). */
export function appendBudgetHeaders(res: ServerResponse, state: BudgetState): void {
  const { policy, limit } = budgetHeaderItems(state);
  append(res, 'RateLimit-Policy', policy);
  append(res, 'RateLimit', limit);
}

function append(res: ServerResponse, name: string, items: string[]): void {
  if (items.length === 0) return;
  const existing = res.getHeader(name);
  res.setHeader(name, [...(existing === undefined ? [] : [String(existing)]), ...items].join(', '));
}
