import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { connectionSettled } from './redis-client.factory.js';

/** A client as far as connectionSettled looks at it. */
const client = (status: string) => Object.assign(new EventEmitter(), { status });
const settledWithin = async (promise: Promise<void>, ms: number) =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);

describe('connectionSettled', () => {
  it('returns at once when no connection attempt is under way', async () => {
    for (const status of ['ready', 'reconnecting', 'end', 'close']) {
      expect(await settledWithin(connectionSettled(client(status) as never), 5)).toBe(true);
    }
  });

  it.each(['ready', 'error', 'end'])('waits for a first attempt to end in %s', async (event) => {
    const c = client('connecting');
    const settled = connectionSettled(c as never);
    expect(await settledWithin(settled, 30)).toBe(false);
    c.emit(event, event === 'error' ? new Error('refused') : undefined);
    expect(await settledWithin(settled, 30)).toBe(true);
    expect(c.listenerCount('ready') + c.listenerCount('end')).toBe(0);
  });

  it('stops waiting when the readiness check times out', async () => {
    const c = client('wait');
    const controller = new AbortController();
    const settled = connectionSettled(c as never, controller.signal);
    controller.abort();
    expect(await settledWithin(settled, 30)).toBe(true);
    expect(c.listenerCount('ready')).toBe(0);
  });
});
