import { describe, expect, it } from '@jest/globals';
import { rollingHours, rollingLeavesMs, windowSeconds, windowsAt } from './budget-windows.js';

const at = (iso: string) => Date.parse(iso);

describe('budget windows', () => {
  it('are the UTC day and calendar month, ending exactly at the next midnight and the 1st', () => {
    const w = windowsAt(at('2026-12-06T23:59:59.999Z'));
    expect(w.day).toEqual({
      id: '2026-12-06',
      startMs: at('2026-12-06T00:00:00Z'),
      endMs: at('2026-12-07T00:00:00Z'),
    });
    expect(w.month).toEqual({
      id: '2026-12',
      startMs: at('2026-12-01T00:00:00Z'),
      endMs: at('2027-01-01T00:00:00Z'),
    });
    const next = windowsAt(at('2026-12-07T00:00:00.000Z'));
    expect(next.day.id).toBe('2026-12-07');
    expect(next.day.startMs).toBe(w.day.endMs);
  });

  it('know the length of every month, leap years included', () => {
    const days = (iso: string) => windowSeconds(windowsAt(at(iso)).month) / 86_400;
    expect(days('2026-01-15T00:00:00Z')).toBe(31);
    expect(days('2026-02-15T00:00:00Z')).toBe(28);
    expect(days('2028-02-29T12:00:00Z')).toBe(29);
    expect(days('2100-02-10T00:00:00Z')).toBe(28); // divisible by 100, not by 400
    expect(days('2000-02-10T00:00:00Z')).toBe(29);
    expect(days('2026-04-30T23:59:59Z')).toBe(30);
    expect(windowsAt(at('2028-02-29T23:00:00Z')).day.endMs).toBe(at('2028-03-01T00:00:00Z'));
    expect(windowsAt(at('2028-03-01T00:00:00Z')).month.id).toBe('2028-03');
  });

  it('ignore the local time zone', () => {
    const before = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(windowsAt(at('2026-12-31T23:30:00Z')).day.id).toBe('2026-12-31');
    } finally {
      process.env.TZ = before;
    }
  });

  it('count whole hours in the rolling window, so no span of N hours ever holds more', () => {
    const w = windowsAt(at('2026-12-06T10:20:00Z'));
    const { first, last } = rollingHours(w, 24);
    expect(last - first).toBe(24);
    // The oldest hour (09:00 yesterday) leaves at 10:00 today: 40 minutes from now.
    expect(rollingLeavesMs(first, 24, w.nowMs)).toBe(40 * 60_000);
  });
});
