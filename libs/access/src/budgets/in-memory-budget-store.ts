import { LRUCache } from 'lru-cache';
import type { BudgetSeed, BudgetStore, HeldReservation } from './budget-store.js';
import {
  budgetKeys,
  keyExpiries,
  reserveIn,
  seedInto,
  settleIn,
  type BudgetHash,
} from './budget-hashes.js';

/**
 * Budget windows in process memory (without Redis: budgets hold per replica, seeded from the
 * usage record). Three small hashes per client; the least recently used go first beyond
 * `maxClients`, and each expires with its window.
 */
export class InMemoryBudgetStore implements BudgetStore {
  private readonly hashes: LRUCache<string, BudgetHash>;

  constructor(
    maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.hashes = new LRUCache({ max: maxClients * 3 });
  }

  reserve(held: HeldReservation) {
    return Promise.resolve(reserveIn(this.load(held), held));
  }

  seed(held: HeldReservation, seed: BudgetSeed): Promise<void> {
    const keys = budgetKeys(held);
    const expiries = keyExpiries(held);
    seedInto(this.load(held), held, seed).forEach((hash, i) => {
      if (!this.hashes.has(keys[i])) {
        this.hashes.set(keys[i], hash, { ttl: Math.max(1, expiries[i] - this.now()) });
      }
    });
    return Promise.resolve();
  }

  settle(held: HeldReservation, tokens: number): Promise<void> {
    settleIn(this.load(held), held, tokens);
    return Promise.resolve();
  }

  private load(held: HeldReservation): (BudgetHash | undefined)[] {
    return budgetKeys(held).map((key) => this.hashes.get(key));
  }
}
