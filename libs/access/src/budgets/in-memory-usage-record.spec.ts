import { describe, expect, it } from '@jest/globals';
import { windowsAt } from './budget-windows.js';
import { InMemoryUsageRecord } from './in-memory-usage-record.js';

const hourOf = (iso: string) => Math.floor(Date.parse(iso) / 3_600_000);

describe('InMemoryUsageRecord', () => {
  it('sums days and months, and keeps lifetime totals after old days are dropped', async () => {
    const record = new InMemoryUsageRecord(2);
    record.add('acme', hourOf('2026-09-30T23:00:00Z'), 5, 1);
    record.add('acme', hourOf('2026-12-05T10:00:00Z'), 7, 1);
    record.add('acme', hourOf('2026-12-06T08:00:00Z'), 11, 1);
    record.add('acme', hourOf('2026-12-06T09:00:00Z'), 13, 2);
    // September is more than 62 days back: gone from the days, still in the totals.
    expect(
      await record.daily(
        'acme',
        Date.parse('2026-09-01T00:00:00Z'),
        Date.parse('2026-12-07T00:00:00Z'),
      ),
    ).toEqual([
      { date: '2026-12-05', tokens: 7, requests: 1 },
      { date: '2026-12-06', tokens: 24, requests: 3 },
    ]);
    expect(await record.totals('acme')).toEqual({ tokens: 36, requests: 5 });
    const seed = await record.spentIn('acme', windowsAt(Date.parse('2026-12-06T09:30:00Z')), 2);
    expect(seed).toEqual({
      day: 24,
      month: 31,
      hours: [
        [hourOf('2026-12-06T08:00:00Z'), 11],
        [hourOf('2026-12-06T09:00:00Z'), 13],
      ],
    });
    expect(await record.totals('beta')).toEqual({ tokens: 0, requests: 0 });
  });

  it('keeps only the rolling window of hours and at most maxClients clients', async () => {
    const record = new InMemoryUsageRecord(3, 2);
    for (let h = 0; h < 100; h++) record.add('acme', hourOf('2026-12-01T00:00:00Z') + h, 1, 1);
    const windows = windowsAt(Date.parse('2026-12-05T03:00:00Z'));
    expect((await record.spentIn('acme', windows, 720)).hours).toHaveLength(4);
    record.add('beta', windows.hour, 1, 1);
    record.add('gamma', windows.hour, 1, 1);
    expect(await record.totals('acme')).toEqual({ tokens: 0, requests: 0 }); // forgotten first
    expect(await record.totals('gamma')).toEqual({ tokens: 1, requests: 1 });
  });
});
