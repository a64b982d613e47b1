import type { PinoLogger } from 'nestjs-pino';
import type { DependencyMonitor } from '@app/platform';
import type { AccessMetrics } from '../access.metrics.js';
import type { ClientLimits } from '../keys/key-table.js';
import type { RateLimitStore } from './rate-limit-store.js';
import type { Limits, WindowState } from './sliding-window.js';

/** What must be settled once a request is done: its reservation in the window. */
export interface Reservation {
  partition: string;
  second: number;
  reserved: number;
}

/**
 * Applies the per-minute budgets: the global ones, or a client's overrides from its key entry.
 * When the store (Redis) fails, requests are admitted without a decision, never refused: the
 * failure is counted, and logged once when it starts and once when it ends.
 */
export class RateLimiter {
  private failingOpen = false;

  constructor(
    private readonly store: RateLimitStore,
    private readonly defaults: Limits,
    private readonly metrics: AccessMetrics,
    private readonly logger: PinoLogger,
    /** Present when the store is Redis: its state feeds `dependency_up` and readiness logs. */
    private readonly monitor?: DependencyMonitor,
  ) {}

  /** The budgets of a client (its key entry's overrides win). */
  limitsFor(client: ClientLimits | undefined): Limits {
    return {
      requests: client?.requestsPerMinute ?? this.defaults.requests,
      tokens: client?.tokensPerMinute ?? this.defaults.tokens,
    };
  }

  /** The window's decision; undefined when there are no limits or no store to ask. */
  async admit(partition: string, limits: Limits, cost: number): Promise<WindowState | undefined> {
    if (limits.requests === 0 && limits.tokens === 0) return undefined;
    try {
      const state = await this.store.admit(partition, limits, Math.max(0, Math.ceil(cost)));
      this.recovered();
      return state;
    } catch (error) {
      this.metrics.failOpen.inc();
      this.failed(error);
      return undefined;
    }
  }

  /** Replaces a reservation with the tokens actually used; failures only count. */
  async settle(reservation: Reservation, usedTokens: number): Promise<void> {
    const delta = usedTokens - reservation.reserved;
    if (delta === 0) return;
    try {
      await this.store.settle(reservation.partition, reservation.second, delta);
    } catch (error) {
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    this.monitor?.report('cache', false, error);
    if (this.failingOpen) return;
    this.failingOpen = true;
    this.logger.warn('rate limits not enforced: the limit store is unavailable (failing open)');
  }

  private recovered(): void {
    this.monitor?.report('cache', true);
    if (!this.failingOpen) return;
    this.failingOpen = false;
    this.logger.info('rate limits enforced again: the limit store answers');
  }
}
