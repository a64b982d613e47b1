import { describe, expect, it } from '@jest/globals';
import { CONFLICTING_KEYS, presentedKey } from './credentials.js';

describe('presentedKey', () => {
  it.each([
    [{ authorization: 'Bearer aik_abc' }, 'aik_abc'],
    [{ authorization: 'bearer   aik_abc ' }, 'aik_abc'],
    [{ 'x-api-key': ' aik_abc ' }, 'aik_abc'],
    [{ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': 'aik_x' }, 'aik_x'],
    [{ authorization: 'Bearer aik_a', 'x-api-key': 'aik_a' }, 'aik_a'],
    [{ authorization: 'Bearer aik_a', 'x-api-key': 'aik_b' }, CONFLICTING_KEYS],
    [{ authorization: 'Bearer' }, undefined],
    [{ authorization: 'Bearer a b' }, undefined],
    [{ 'x-api-key': '' }, undefined],
    [{}, undefined],
  ])('%j → %s', (headers, expected) => {
    expect(presentedKey(headers)).toBe(expected);
  });
});
