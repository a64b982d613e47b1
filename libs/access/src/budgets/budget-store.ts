import type { BudgetWindows } from './budget-windows.js';

/** A client's token budgets; 0 turns one off. */
export interface BudgetLimits {
  tokensPerDay: number;
  tokensPerMonth: number;
  rollingTokens: number;
  rollingHours: number;
}

/** Policy names, as in `RateLimit-Policy` and a 429's `violated-policies`. */
export const BUDGET_POLICIES = ['tokens-per-day', 'tokens-per-month', 'tokens-rolling'] as const;
export type BudgetPolicy = (typeof BUDGET_POLICIES)[number];

/** What the record says a client spent, to start a window the store does not know (yet). */
export interface BudgetSeed {
  day: number;
  month: number;
  /** Tokens per hour index, for the rolling window's hours. */
  hours: [hour: number, tokens: number][];
}

/** The store's answer to a reservation. */
export interface BudgetCheck {
  /** `unseeded`: a window of an active budget is unknown to the store; seed it, then ask again. */
  outcome: 'admitted' | 'refused' | 'unseeded';
  /** Spent plus reserved per window (day, month, rolling), this request included when admitted. */
  used: [number, number, number];
  violated: BudgetPolicy[];
  /** When the rolling window refused: milliseconds until enough of it has left the window. */
  rollingRetryMs: number;
}

/** Where an admitted request's reservation lives until it settles. */
export interface HeldReservation {
  clientId: string;
  windows: BudgetWindows;
  /** Unique per request; carries its expiry so a crashed replica's reservations lapse. */
  field: string;
  cost: number;
  limits: BudgetLimits;
}

/**
 * Budget windows shared by every replica (Redis) or held per process. One call decides and
 * reserves atomically: admitted only while spent + reserved + cost fits every active budget.
 */
export interface BudgetStore {
  reserve(held: HeldReservation): Promise<BudgetCheck>;
  /** Starts the windows the store does not know with what the record says; known ones stay. */
  seed(held: HeldReservation, seed: BudgetSeed): Promise<void>;
  /** Drops the reservation and adds the tokens actually used to the windows it was made in. */
  settle(held: HeldReservation, tokens: number): Promise<void>;
}

/** Injection token of the configured {@link BudgetStore}. */
export const BUDGET_STORE = Symbol('BUDGET_STORE');

/** A reservation stops counting after this long (a stream longer than this is still charged). */
export const RESERVATION_TTL_MS = 15 * 60_000;
/** Day and month windows outlive their end by this much, so late settlements still land. */
export const WINDOW_GRACE_MS = 24 * 3_600_000;

export function budgetsOf(limits: BudgetLimits): [number, number, number] {
  return [limits.tokensPerDay, limits.tokensPerMonth, limits.rollingTokens];
}

export function anyBudget(limits: BudgetLimits): boolean {
  return budgetsOf(limits).some((b) => b > 0);
}
