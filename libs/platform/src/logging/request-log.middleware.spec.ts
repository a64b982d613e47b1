import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { RequestEvents } from '../http/request-context.js';
import { RequestLogMiddleware } from './request-log.middleware.js';

function exchange() {
  const req = Object.assign(new EventEmitter(), {
    method: 'POST',
    url: '/query?secret=1',
    headers: {},
    rawHeaders: [],
  }) as unknown as IncomingMessage & { id?: string };
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    req,
    writableFinished: true,
    setHeader: () => undefined,
  }) as unknown as ServerResponse & { writableFinished: boolean };
  return { req, res };
}

describe('RequestLogMiddleware (the request context)', () => {
  it('hands a finished request to the subscribers once, timed on the one clock, and logs it', async () => {
    const lines: string[] = [];
    const root = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const events = new RequestEvents();
    const seen: number[] = [];
    events.onFinished((_req, _res, seconds) => void seen.push(seconds));
    const middleware = new RequestLogMiddleware(root, events);
    const { req, res } = exchange();
    middleware.use(req, res, () => undefined);
    await new Promise((r) => setTimeout(r, 20));
    res.emit('close');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(0.015);
    const line = JSON.parse(lines[0]) as { durationMs: number; req: { path: string } };
    expect(line.durationMs / 1000).toBeCloseTo(seen[0], 2);
    expect(line.req.path).toBe('/query');
  });

  it('logs an aborted request without counting it as served', () => {
    const lines: string[] = [];
    const root = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const events = new RequestEvents();
    let seen = 0;
    events.onFinished(() => void seen++);
    const { req, res } = exchange();
    res.writableFinished = false;
    new RequestLogMiddleware(root, events).use(req, res, () => undefined);
    res.emit('close');
    expect(seen).toBe(0);
    expect(lines[0]).toContain('request aborted');
  });
});
