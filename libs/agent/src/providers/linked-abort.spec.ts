import { describe, expect, it } from '@jest/globals';
import { linkedAbort } from './linked-abort.js';

describe('linkedAbort', () => {
  it('aborts with the parent, with its reason', () => {
    const parent = new AbortController();
    const { controller } = linkedAbort(parent.signal);
    const reason = new Error('client went away');
    parent.abort(reason);
    expect([controller.signal.aborted, controller.signal.reason]).toEqual([true, reason]);
  });

  it('is aborted at once when the parent already is', () => {
    const parent = new AbortController();
    parent.abort('gone');
    expect(linkedAbort(parent.signal).controller.signal.reason).toBe('gone');
  });

  it('aborts alone without touching the parent', () => {
    const parent = new AbortController();
    const { controller } = linkedAbort(parent.signal);
    controller.abort();
    expect([controller.signal.aborted, parent.signal.aborted]).toEqual([true, false]);
  });

  it('no longer follows the parent once released, and leaves no listener on it', () => {
    const parent = new AbortController();
    let listeners = 0;
    const add = parent.signal.addEventListener.bind(parent.signal);
    const remove = parent.signal.removeEventListener.bind(parent.signal);
    parent.signal.addEventListener = (...args: Parameters<typeof add>) => (
      listeners++,
      add(...args)
    );
    parent.signal.removeEventListener = (...args: Parameters<typeof remove>) => (
      listeners--,
      remove(...args)
    );
    const { controller, release } = linkedAbort(parent.signal);
    expect(listeners).toBe(1);
    release();
    parent.abort();
    expect([listeners, controller.signal.aborted]).toEqual([0, false]);
  });

  it('works without a parent', () => {
    const { controller, release } = linkedAbort(undefined);
    release();
    expect(controller.signal.aborted).toBe(false);
  });
});
