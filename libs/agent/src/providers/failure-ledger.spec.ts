import { describe, expect, it } from '@jest/globals';
import { FailureLedger } from './failure-ledger.js';
import { ProviderError } from './provider-error.js';

const serverError = new ProviderError('server_error', 'status 500');
const origin = (clientId: string | null, prompt: string) => ({
  clientId,
  promptSha256: prompt,
});

describe('FailureLedger', () => {
  it('counts one client for at most half the threshold, rounded up', () => {
    const ledger = new FailureLedger(5);
    const counted = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((p) =>
      ledger.counts(serverError, origin('mallory', p)),
    );
    expect(counted).toEqual([true, true, true, false, false, false]);
    expect(ledger.counts(serverError, origin('alice', 'p7'))).toBe(true);
  });

  it('counts a prompt once per run, whoever sends it', () => {
    const ledger = new FailureLedger(5);
    expect(ledger.counts(serverError, origin(null, 'same'))).toBe(true);
    expect(ledger.counts(serverError, origin(null, 'same'))).toBe(false);
    expect(ledger.counts(serverError, origin('alice', 'same'))).toBe(false);
    expect(ledger.counts(serverError, origin(null, 'other'))).toBe(true);
  });

  it('caps no one without keys: one tenant', () => {
    const ledger = new FailureLedger(2);
    expect(['a', 'b', 'c'].map((p) => ledger.counts(serverError, origin(null, p)))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('always counts an unreachable upstream, and a failure of unknown origin', () => {
    const ledger = new FailureLedger(2);
    const down = new ProviderError('unavailable', 'unreachable');
    expect(ledger.counts(down, origin('mallory', 'p'))).toBe(true);
    expect(ledger.counts(down, origin('mallory', 'p'))).toBe(true);
    expect(ledger.counts(serverError, undefined)).toBe(true);
  });

  it('starts a new run after a reset', () => {
    const ledger = new FailureLedger(2);
    expect(ledger.counts(serverError, origin('mallory', 'p'))).toBe(true);
    expect(ledger.counts(serverError, origin('mallory', 'q'))).toBe(false);
    ledger.reset();
    expect(ledger.counts(serverError, origin('mallory', 'p'))).toBe(true);
  });
});
