import { describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from '@app/platform';
import { AccessMetrics } from '../access.metrics.js';
import { LoadShedder } from './load-shedder.js';

describe('LoadShedder', () => {
  it('admits up to the cap, sheds beyond it, and frees a slot once per release', async () => {
    const registry = new MetricsRegistry();
    const shedder = new LoadShedder(2, new AccessMetrics(registry));
    const a = shedder.tryAcquire();
    const b = shedder.tryAcquire();
    expect(a && b).toBeDefined();
    expect(shedder.tryAcquire()).toBeUndefined();
    a!();
    a!();
    expect(shedder.inFlight).toBe(1);
    expect(shedder.tryAcquire()).toBeDefined();
    expect(await registry.getSingleMetricAsString('access_shed_total')).toMatch(/ 1$/);
  });

  it('never sheds with a cap of 0', () => {
    const shedder = new LoadShedder(0, new AccessMetrics(new MetricsRegistry()));
    for (let i = 0; i < 1_000; i++) expect(shedder.tryAcquire()).toBeDefined();
  });
});
