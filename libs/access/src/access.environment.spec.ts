import { describe, expect, it } from '@jest/globals';
import { loadEnvironment } from '@app/platform';
import { AccessEnvironment } from './access.environment.js';

const load = (raw: Record<string, string>) => loadEnvironment(raw, AccessEnvironment);

describe('AccessEnvironment', () => {
  it('needs an ADMIN_TOKEN long enough not to be guessed, without echoing it', () => {
    const short = 'short-admin-token-1234567890';
    let message = '';
    try {
      load({ ADMIN_TOKEN: short, ADMIN_KEY_ROTATION_GRACE_SECONDS: '-1' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/ADMIN_TOKEN must be longer than or equal to 32 characters/);
    expect(message).toMatch(/ADMIN_KEY_ROTATION_GRACE_SECONDS/);
    expect(message).not.toContain(short);
    const env = load({ ADMIN_TOKEN: 'x'.repeat(32), AUTH_REQUIRED: 'true' });
    expect(env.ADMIN_TOKEN).toHaveLength(32);
    expect(env.ADMIN_KEY_ROTATION_GRACE_SECONDS).toBe(3600);
  });

  it('refuses AUTH_REQUIRED without a way in', () => {
    expect(() => load({ AUTH_REQUIRED: 'true' })).toThrow(
      'AUTH_REQUIRED=true needs API_KEYS, API_KEYS_FILE or ADMIN_TOKEN',
    );
    expect(load({ AUTH_REQUIRED: 'true', API_KEYS_FILE: '/run/keys' }).AUTH_REQUIRED).toBe(true);
  });
});
