import { describe, expect, it, jest } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { elapsedMs, RequestEvents, startClock } from './request-context.js';

describe('request context', () => {
  it('times a request on its one clock, from the moment it started', () => {
    const now = jest.spyOn(performance, 'now').mockReturnValue(1_000);
    const res = {} as ServerResponse;
    startClock(res);
    now.mockReturnValue(1_012.5);
    expect(elapsedMs(res)).toBe(12.5);
    now.mockRestore();
  });

  it('reads 0 for a response whose clock never started', () => {
    expect(elapsedMs({})).toBe(0);
  });

  it('hands every finished request to each subscriber, in subscription order', () => {
    const events = new RequestEvents();
    const seen: string[] = [];
    events.onFinished((_req, _res, seconds) => seen.push(`a ${seconds}`));
    events.onFinished((_req, _res, seconds) => seen.push(`b ${seconds}`));
    const req = {} as IncomingMessage;
    const res = {} as ServerResponse;
    events.finished(req, res, 0.25);
    events.finished(req, res, 0.5);
    expect(seen).toEqual(['a 0.25', 'b 0.25', 'a 0.5', 'b 0.5']);
  });

  it('lets a subscriber join while requests finish without disturbing the one in progress', () => {
    const events = new RequestEvents();
    const seen: string[] = [];
    events.onFinished(() => {
      seen.push('first');
      if (seen.length === 1) events.onFinished(() => seen.push('late'));
    });
    const req = {} as IncomingMessage;
    const res = {} as ServerResponse;
    events.finished(req, res, 0);
    events.finished(req, res, 0);
    expect(seen).toEqual(['first', 'first', 'late']);
  });
});
