import type { Limits, WindowState } from './sliding-window.js';

/**
 * Where the limits' windows live: Redis (shared by every replica) or process memory. One
 * call per request decides and records atomically.
 */
export interface RateLimitStore {
  /** Checks both budgets of `partition` and, when both allow it, records the admission. */
  admit(partition: string, limits: Limits, cost: number): Promise<WindowState>;
  /** Adds `delta` tokens to the admission recorded in `second` (reserved → actually spent). */
  settle(partition: string, second: number, delta: number): Promise<void>;
}

/** Injection token of the configured {@link RateLimitStore}. */
export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');
