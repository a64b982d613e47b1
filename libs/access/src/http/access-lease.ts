import type { AccessMetrics } from '../access.metrics.js';
import type { RateLimiter, Reservation } from '../limits/rate-limiter.js';

/**
 * An admitted metered request: holds its concurrency slot and token reservation until it is
 * done, then settles exactly once — the slot is released and the reservation replaced by the
 * tokens actually used (none when the request failed or was cancelled before an answer).
 */
export class AccessLease {
  private used = 0;
  private settled: Promise<void> | undefined;

  constructor(
    private readonly release: () => void,
    private readonly label: string,
    private readonly metrics: AccessMetrics,
    private readonly limiter: RateLimiter,
    private readonly reservation: Reservation | undefined,
    /** Settles the token budgets' reservation (see budgets/budget-ledger.ts). */
    private readonly settleBudget?: (usedTokens: number) => Promise<void>,
  ) {}

  /** Records tokens spent by this request (may be called per streamed chunk). */
  charge(tokens: number): void {
    if (this.settled || !Number.isSafeInteger(tokens) || tokens <= 0) return;
    this.used += tokens;
  }

  /** Idempotent: the second call returns the first call's promise. */
  settle(): Promise<void> {
    this.settled ??= this.doSettle();
    return this.settled;
  }

  private async doSettle(): Promise<void> {
    this.release();
    if (this.used > 0) this.metrics.tokens.inc({ client: this.label }, this.used);
    await Promise.all([
      this.reservation && this.limiter.settle(this.reservation, this.used),
      this.settleBudget?.(this.used),
    ]);
  }
}
