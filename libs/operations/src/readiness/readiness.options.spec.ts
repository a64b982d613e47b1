import { describe, expect, it } from '@jest/globals';
import type { Environment } from '@app/platform';
import { readinessOptions } from './readiness.options.js';

describe('readinessOptions', () => {
  it('takes the per-check timeout from READINESS_TIMEOUT_MS', () => {
    expect(readinessOptions({ READINESS_TIMEOUT_MS: 1_234 } as Environment)).toEqual({
      timeoutMs: 1_234,
    });
  });
});
