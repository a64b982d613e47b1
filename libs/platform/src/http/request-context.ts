import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

const START = Symbol('requestStart');

type TimedResponse = ServerResponse & { [START]?: number };

/** Starts the request's one clock, on its response (set by the request middleware). */
export function startClock(res: ServerResponse): void {
  (res as TimedResponse)[START] = performance.now();
}

/** Milliseconds since the request arrived, on its one clock (0 outside a request). */
export function elapsedMs(res: object): number {
  const start = (res as TimedResponse)[START];
  return start === undefined ? 0 : performance.now() - start;
}

/** Called once per request whose response was sent in full, with its duration in seconds. */
export type FinishedListener = (req: IncomingMessage, res: ServerResponse, seconds: number) => void;

/**
 * The end of every request, from the request middleware's one `close` listener: modules that
 * count or time requests (the HTTP metrics) subscribe here instead of each adding a listener
 * and a clock of their own to every response.
 */
@Injectable()
export class RequestEvents {
  private listeners: FinishedListener[] = [];

  onFinished(listener: FinishedListener): void {
    this.listeners = [...this.listeners, listener];
  }

  finished(req: IncomingMessage, res: ServerResponse, seconds: number): void {
    for (const listener of this.listeners) listener(req, res, seconds);
  }
}
