import { describe, expect, it } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import type { AccessMetrics } from '../access.metrics.js';
import { BudgetLedger } from './budget-ledger.js';
import { budgetHeaderItems, retryAfterMs } from './budget-headers.js';
import type { BudgetConfig } from './budget.config.js';
import type { BudgetStore } from './budget-store.js';
import { InMemoryBudgetStore } from './in-memory-budget-store.js';
import { InMemoryUsageRecord } from './in-memory-usage-record.js';

const OFF: BudgetConfig = {
  tokensPerDay: 0,
  tokensPerMonth: 0,
  rollingTokens: 0,
  rollingHours: 24,
};
const logger = { warn: () => undefined, info: () => undefined } as unknown as PinoLogger;
const metrics = { failOpen: { inc: () => undefined } } as unknown as AccessMetrics;

function setup(config: Partial<BudgetConfig>, start = '2026-12-06T23:59:00Z', store?: BudgetStore) {
  const clock = { now: Date.parse(start) };
  const record = new InMemoryUsageRecord();
  const ledger = new BudgetLedger(
    store ?? new InMemoryBudgetStore(100, () => clock.now),
    record,
    { ...OFF, ...config },
    metrics,
    logger,
    () => clock.now,
  );
  return { clock, record, ledger };
}

describe('BudgetLedger', () => {
  it('refuses once the day is spent and admits again exactly at the next UTC midnight', async () => {
    const { clock, ledger } = setup({ tokensPerDay: 100 });
    const first = await ledger.reserve('acme', undefined, 60);
    expect(first.admitted).toBe(true);
    await ledger.settle(first.reservation!, 100);
    const refused = await ledger.reserve('acme', undefined, 10);
    expect(refused.admitted).toBe(false);
    expect(refused.check?.violated).toEqual(['tokens-per-day']);
    expect(retryAfterMs(refused)).toBe(60_000); // 23:59 → midnight
    clock.now = Date.parse('2026-12-06T23:59:59.999Z');
    expect((await ledger.reserve('acme', undefined, 10)).admitted).toBe(false);
    clock.now = Date.parse('2026-12-07T00:00:00.000Z');
    expect((await ledger.reserve('acme', undefined, 10)).admitted).toBe(true);
  });

  it('keeps the month across days and resets it on the 1st; key overrides win', async () => {
    const { clock, ledger } = setup({ tokensPerMonth: 1000 }, '2028-02-28T12:00:00Z');
    const client = { tokensPerMonth: 50 };
    const a = await ledger.reserve('acme', client, 10);
    await ledger.settle(a.reservation!, 50);
    clock.now = Date.parse('2028-02-29T12:00:00Z'); // leap day: still February
    const refused = await ledger.reserve('acme', client, 10);
    expect(refused.check?.violated).toEqual(['tokens-per-month']);
    expect(retryAfterMs(refused)).toBe(12 * 3_600_000);
    expect(budgetHeaderItems(refused)).toEqual({
      policy: [`"tokens-per-month";q=50;qu="tokens";w=${29 * 86_400}`],
      limit: ['"tokens-per-month";r=0;t=43200'],
    });
    clock.now = Date.parse('2028-03-01T00:00:00Z');
    expect((await ledger.reserve('acme', client, 10)).admitted).toBe(true);
    // Another client's month is its own.
    expect((await ledger.reserve('beta', client, 10)).admitted).toBe(true);
  });

  it('admits at most what fits in reservations when 20 requests arrive at once', async () => {
    const { ledger, record } = setup({ tokensPerDay: 500 });
    const states = await Promise.all(
      Array.from({ length: 20 }, () => ledger.reserve('acme', undefined, 100)),
    );
    const admitted = states.filter((s) => s.admitted);
    expect(admitted).toHaveLength(5);
    // Each used less than it reserved: the reconciliation gives the rest back.
    await Promise.all(admitted.map((s) => ledger.settle(s.reservation!, 60)));
    const more = await Promise.all(
      Array.from({ length: 5 }, () => ledger.reserve('acme', undefined, 100)),
    );
    expect(more.filter((s) => s.admitted)).toHaveLength(2); // 300 spent, 200 left
    const [day] = await record.daily('acme', 0, Date.parse('2027-01-01T00:00:00Z'));
    expect(day).toEqual({ date: '2026-12-06', tokens: 300, requests: 5 });
  });

  it('gives tokens of the rolling window back as its oldest hours leave it', async () => {
    const { clock, ledger } = setup(
      { rollingTokens: 100, rollingHours: 2 },
      '2026-12-06T10:30:00Z',
    );
    const a = await ledger.reserve('acme', undefined, 0);
    await ledger.settle(a.reservation!, 70);
    clock.now = Date.parse('2026-12-06T11:15:00Z');
    const b = await ledger.reserve('acme', undefined, 0);
    await ledger.settle(b.reservation!, 30);
    const refused = await ledger.reserve('acme', undefined, 10);
    expect(refused.check?.violated).toEqual(['tokens-rolling']);
    // The 10:00 hour leaves the 2-hour window at 13:00.
    expect(retryAfterMs(refused)).toBe(Date.parse('2026-12-06T13:00:00Z') - clock.now);
    clock.now = Date.parse('2026-12-06T12:59:59Z');
    expect((await ledger.reserve('acme', undefined, 10)).admitted).toBe(false);
    clock.now = Date.parse('2026-12-06T13:00:00Z');
    expect((await ledger.reserve('acme', undefined, 10)).admitted).toBe(true);
  });

  it('seeds a store that lost its windows from the record, and admits undecided when the store fails', async () => {
    const { clock, ledger, record } = setup({ tokensPerDay: 100 }, '2026-12-06T08:00:00Z');
    record.add('acme', Math.floor(clock.now / 3_600_000), 95, 3); // spent before the store knew
    expect((await ledger.reserve('acme', undefined, 10)).admitted).toBe(false);
    const broken: BudgetStore = {
      reserve: () => Promise.reject(new Error('down')),
      seed: () => Promise.reject(new Error('down')),
      settle: () => Promise.reject(new Error('down')),
    };
    const failing = setup({ tokensPerDay: 100 }, '2026-12-06T08:00:00Z', broken);
    const state = await failing.ledger.reserve('acme', undefined, 10);
    expect(state.admitted).toBe(true);
    expect(state.check).toBeUndefined();
    await failing.ledger.settle(state.reservation!, 7);
    expect(await failing.record.totals('acme')).toEqual({ tokens: 7, requests: 1 });
  });
});
