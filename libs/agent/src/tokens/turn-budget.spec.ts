import { describe, expect, it } from '@jest/globals';
import { TurnBudget } from './turn-budget.js';

/** A computation of `steps` steps that logs each step as `name:i`. */
function* steps(name: string, count: number, log: string[]): Generator<void, string> {
  for (let i = 0; i < count; i++) {
    log.push(`${name}:${i}`);
    if (i < count - 1) yield;
  }
  return name;
}

/** Busy for `ms` per step: a step that costs real CPU. */
function* busy(count: number, ms: number): Generator<void, number> {
  for (let i = 0; i < count; i++) {
    const end = performance.now() + ms;
    while (performance.now() < end);
    yield;
  }
  return count;
}

describe('TurnBudget', () => {
  it('resolves each computation with its result, taking steps round-robin', async () => {
    const log: string[] = [];
    const budget = new TurnBudget(1_000);
    const results = await Promise.all([
      budget.run(steps('a', 3, log)),
      budget.run(steps('b', 2, log)),
    ]);
    expect(results).toEqual(['a', 'b']);
    expect(log).toEqual(['a:0', 'b:0', 'a:1', 'b:1', 'a:2']);
  });

  it('lets the event loop turn between budgets, however many computations are queued', async () => {
    const budget = new TurnBudget(2);
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    // Four computations of 20 steps × 0.5 ms: 40 ms of work, at most ~2 ms of it per turn.
    const done = await Promise.all(Array.from({ length: 4 }, () => budget.run(busy(20, 0.5))));
    running = false;
    expect(done).toEqual([20, 20, 20, 20]);
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it('rejects only the computation that threw; the others finish', async () => {
    const budget = new TurnBudget(1_000);
    function* failing(): Generator<void, number> {
      yield;
      throw new Error('broken step');
    }
    const log: string[] = [];
    const [failed, ok] = await Promise.allSettled([
      budget.run(failing()),
      budget.run(steps('ok', 3, log)),
    ]);
    expect(failed).toMatchObject({ status: 'rejected', reason: new Error('broken step') });
    expect(ok).toEqual({ status: 'fulfilled', value: 'ok' });
  });
});
