import { describe, expect, it } from '@jest/globals';
import { loadEnvironment } from '../config/load-environment.js';
import { redisConfig } from './redis.config.js';

describe('redisConfig', () => {
  it('is absent when REDIS_URL is unset: no Redis is configured', () => {
    expect(redisConfig(loadEnvironment({}))).toBeUndefined();
  });

  it('carries each Redis variable', () => {
    const env = loadEnvironment({
      REDIS_URL: 'redis://cache:6380',
      REDIS_KEY_PREFIX: 'x:',
      REDIS_COMMAND_TIMEOUT_MS: '50',
      REDIS_REQUIRED: 'true',
    });
    expect(redisConfig(env)).toEqual({
      url: 'redis://cache:6380',
      keyPrefix: 'x:',
      commandTimeoutMs: 50,
      required: true,
    });
  });
});
