import { randomUUID } from 'node:crypto';
import type { PinoLogger } from 'nestjs-pino';
import type { AccessMetrics } from '../access.metrics.js';
import type { ClientLimits } from '../keys/key-table.js';
import type { BudgetConfig } from './budget.config.js';
import {
  anyBudget,
  type BudgetCheck,
  type BudgetLimits,
  type BudgetStore,
  type HeldReservation,
} from './budget-store.js';
import { reservationField } from './budget-hashes.js';
import { windowsAt, type BudgetWindows } from './budget-windows.js';
import type { UsageRecord } from './usage-record.js';

/** The ledger's answer at admission. */
export interface BudgetState {
  admitted: boolean;
  limits: BudgetLimits;
  windows: BudgetWindows;
  /** Spent plus reserved per window (day, month, rolling); absent when nothing was decided. */
  check?: BudgetCheck;
  /** Settle it once the request is done (admitted requests only). */
  reservation?: HeldReservation;
}

/**
 * Per-client token budgets (UTC day, UTC month, rolling hours): a request's tokens are reserved
 * at admission and replaced by what it used when it settles, so concurrent requests overspend
 * at most by what they use beyond their reservations. Windows live in the store (Redis or
 * memory); the usage record (PostgreSQL or memory) is the truth a store is seeded from when it
 * does not know a window, e.g. after Redis restarted empty. A failing store or record admits
 * without a decision (counted, logged once per state change): budgets never fail a request.
 */
export class BudgetLedger {
  private failingOpen = false;

  constructor(
    private readonly store: BudgetStore,
    private readonly record: UsageRecord,
    private readonly defaults: BudgetConfig,
    private readonly metrics: AccessMetrics,
    private readonly logger: PinoLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A client's budgets (its key entry's overrides win). */
  limitsFor(client: ClientLimits | undefined): BudgetLimits {
    return {
      tokensPerDay: client?.tokensPerDay ?? this.defaults.tokensPerDay,
      tokensPerMonth: client?.tokensPerMonth ?? this.defaults.tokensPerMonth,
      rollingTokens: this.defaults.rollingTokens,
      rollingHours: this.defaults.rollingHours,
    };
  }

  /** Whether any token budget applies to this client (its reservation then needs a cost). */
  limits(client: ClientLimits | undefined): boolean {
    return anyBudget(this.limitsFor(client));
  }

  /** Reserves `cost` tokens for an identified client; without budgets only records use. */
  async reserve(
    clientId: string,
    client: ClientLimits | undefined,
    cost: number,
  ): Promise<BudgetState> {
    const limits = this.limitsFor(client);
    const windows = windowsAt(this.now());
    const held: HeldReservation = {
      clientId,
      windows,
      field: reservationField(windows.nowMs, randomUUID()),
      cost: Math.max(0, Math.ceil(cost)),
      limits,
    };
    if (!anyBudget(limits)) return { admitted: true, limits, windows, reservation: held };
    try {
      let check = await this.store.reserve(held);
      if (check.outcome === 'unseeded') {
        await this.store.seed(
          held,
          await this.record.spentIn(clientId, windows, limits.rollingHours),
        );
        check = await this.store.reserve(held);
      }
      this.recovered();
      if (check.outcome === 'unseeded') return this.undecided(limits, held);
      if (check.outcome === 'refused') return { admitted: false, limits, windows, check };
      return { admitted: true, limits, windows, check, reservation: held };
    } catch (error) {
      this.failed(error);
      return this.undecided(limits, held);
    }
  }

  /** Replaces the reservation with the tokens used and records the request. */
  async settle(held: HeldReservation, tokens: number): Promise<void> {
    const used = Number.isSafeInteger(tokens) && tokens > 0 ? tokens : 0;
    // The store first: a seed read between the two then misses this request rather than
    // counting it twice (once from the record, once from the store).
    if (anyBudget(held.limits)) {
      await this.store.settle(held, used).catch((error: unknown) => this.failed(error));
    }
    this.record.add(held.clientId, held.windows.hour, used, 1);
  }

  /** Gives back an admitted reservation that was not used (the request was refused later). */
  async cancel(held: HeldReservation): Promise<void> {
    if (!anyBudget(held.limits)) return;
    await this.store.settle(held, 0).catch((error: unknown) => this.failed(error));
  }

  private undecided(limits: BudgetLimits, held: HeldReservation): BudgetState {
    this.metrics.failOpen.inc();
    return { admitted: true, limits, windows: held.windows, reservation: held };
  }

  private failed(error: unknown): void {
    if (this.failingOpen) return;
    this.failingOpen = true;
    this.logger.warn(
      { err: error },
      'token budgets not enforced: their store or record is unavailable (failing open)',
    );
  }

  private recovered(): void {
    if (!this.failingOpen) return;
    this.failingOpen = false;
    this.logger.info('token budgets enforced again');
  }
}
