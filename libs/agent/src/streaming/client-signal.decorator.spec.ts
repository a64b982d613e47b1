import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { EventEmitter } from 'node:events';
import { ClientSignal } from './client-signal.decorator.js';

type Factory = (data: unknown, ctx: ExecutionContext) => AbortSignal;

/** The function Nest calls to resolve a `@ClientSignal()` parameter. */
function clientSignalFactory(): Factory {
  class Handler {
    handle(@ClientSignal() signal: AbortSignal): AbortSignal {
      return signal;
    }
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'handle') as Record<
    string,
    { factory: Factory }
  >;
  return Object.values(args)[0].factory;
}

/** A Node.js response as far as the decorator looks at it. */
function response(state: { closed?: boolean; destroyed?: boolean } = {}) {
  return Object.assign(new EventEmitter(), {
    closed: state.closed ?? false,
    destroyed: state.destroyed ?? false,
    writableFinished: false,
  });
}
type FakeResponse = ReturnType<typeof response>;

const contextFor = (res: unknown) =>
  ({ switchToHttp: () => ({ getResponse: () => res }) }) as unknown as ExecutionContext;

const signalFor = (res: unknown) => clientSignalFactory()(undefined, contextFor(res));

describe('ClientSignal', () => {
  it('aborts when the client goes away before the response is complete', () => {
    const res = response();
    const signal = signalFor(res);
    expect(signal.aborted).toBe(false);
    res.emit('close');
    expect(signal.aborted).toBe(true);
  });

  it('does not abort when the connection closes after the response was sent', () => {
    const res: FakeResponse = response();
    const signal = signalFor(res);
    res.writableFinished = true;
    res.emit('close');
    expect(signal.aborted).toBe(false);
  });

  it('is aborted at once when the client left before the handler ran', () => {
    expect(signalFor(response({ closed: true })).aborted).toBe(true);
    expect(signalFor(response({ destroyed: true })).aborted).toBe(true);
  });

  it('reads the Node.js response a Fastify reply holds in raw', () => {
    const raw = response();
    const signal = signalFor({ raw, closed: true });
    expect(signal.aborted).toBe(false);
    raw.emit('close');
    expect(signal.aborted).toBe(true);
  });

  it('listens for a single close only', () => {
    const res = response();
    signalFor(res);
    expect(res.listenerCount('close')).toBe(1);
    res.emit('close');
    expect(res.listenerCount('close')).toBe(0);
  });
});
