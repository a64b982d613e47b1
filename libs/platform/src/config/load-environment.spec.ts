import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Environment } from './environment.js';
import { ConfigValidationError, loadEnvironment } from './load-environment.js';

describe('loadEnvironment', () => {
  it('applies every default on an empty environment', () => {
    const env = loadEnvironment({});
    expect(env).toMatchObject({
      PORT: 8000,
      HOST: '0.0.0.0',
      APP_VERSION: '1.0.0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      BODY_LIMIT: '100kb',
      CORS_ORIGINS: [],
      LLM_PROVIDER: 'builtin',
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('converts numbers and lists', () => {
    const env = loadEnvironment({
      PORT: '9000',
      CORS_ORIGINS: 'https://a.example, http://localhost:3000',
    });
    expect(env.PORT).toBe(9000);
    expect(env.CORS_ORIGINS).toEqual(['https://a.example', 'http://localhost:3000']);
  });

  it('treats empty strings as unset', () => {
    expect(loadEnvironment({ DATABASE_URL: '', PORT: '' }).PORT).toBe(8000);
  });

  it('names every invalid variable in one error, without echoing values', () => {
    let caught: unknown;
    try {
      loadEnvironment({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://secret-password@x',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    const error = caught as ConfigValidationError;
    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(/PORT/);
    expect(error.message).toMatch(/LOG_LEVEL/);
    expect(error.message).toMatch(/DATABASE_URL/);
    expect(error.message).not.toMatch(/secret-password/);
  });

  it('reports a wrong type before a range', () => {
    expect(() => loadEnvironment({ PORT: 'abc' })).toThrow('PORT must be an integer number');
  });

  it('rejects ports out of range', () => {
    expect(() => loadEnvironment({ PORT: '70000' })).toThrow(/PORT/);
  });
});

describe('loadEnvironment cross-field rules', () => {
  it('requires an API key for the OpenAI API itself', () => {
    expect(() => loadEnvironment({ LLM_PROVIDER: 'openai' })).toThrow(/LLM_API_KEY is required/);
    expect(loadEnvironment({ LLM_PROVIDER: 'openai', LLM_API_KEY: 'sk-x' }).LLM_PROVIDER).toBe(
      'openai',
    );
    expect(
      loadEnvironment({ LLM_PROVIDER: 'openai', LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })
        .LLM_API_KEY,
    ).toBeUndefined();
  });

  it('needs the drain delay to fit inside the grace period', () => {
    expect(() => loadEnvironment({ SHUTDOWN_DRAIN_DELAY_MS: '10000' })).toThrow(
      /SHUTDOWN_DRAIN_DELAY_MS must be shorter than SHUTDOWN_GRACE_MS/,
    );
    expect(loadEnvironment({ SHUTDOWN_DRAIN_DELAY_MS: '5000' }).SHUTDOWN_DRAIN_DELAY_MS).toBe(5000);
  });

  it('needs an ADMIN_TOKEN long enough not to be guessed, without echoing it', () => {
    const short = 'short-admin-token-1234567890';
    let message = '';
    try {
      loadEnvironment({ ADMIN_TOKEN: short, ADMIN_KEY_ROTATION_GRACE_SECONDS: '-1' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/ADMIN_TOKEN must be longer than or equal to 32 characters/);
    expect(message).toMatch(/ADMIN_KEY_ROTATION_GRACE_SECONDS/);
    expect(message).not.toContain(short);
    const env = loadEnvironment({ ADMIN_TOKEN: 'x'.repeat(32), AUTH_REQUIRED: 'true' });
    expect(env.ADMIN_TOKEN).toHaveLength(32);
    expect(env.ADMIN_KEY_ROTATION_GRACE_SECONDS).toBe(3600);
  });

  it('reads LLM_FALLBACKS as an ordered list ending, if at all, with builtin', () => {
    const base = { LLM_PROVIDER: 'openai', LLM_BASE_URL: 'http://127.0.0.1:1/v1' };
    expect(
      loadEnvironment({ ...base, LLM_FALLBACKS: 'https://:sk@b.example/v1#m, builtin' })
        .LLM_FALLBACKS,
    ).toEqual(['https://:sk@b.example/v1#m', 'builtin']);
    expect(() => loadEnvironment({ ...base, LLM_FALLBACKS: 'builtin,http://b/v1' })).toThrow(
      /LLM_FALLBACKS may name builtin only last/,
    );
    expect(() => loadEnvironment({ LLM_FALLBACKS: 'builtin' })).toThrow(
      /LLM_FALLBACKS needs LLM_PROVIDER=openai/,
    );
    let caught: unknown;
    try {
      loadEnvironment({ ...base, LLM_FALLBACKS: 'ftp://:secret-key@x' });
    } catch (error) {
      caught = error;
    }
    expect(String(caught)).toMatch(/LLM_FALLBACKS must be a comma-separated list/);
    expect(String(caught)).not.toContain('secret-key');
  });

  it('parses booleans strictly', () => {
    expect(loadEnvironment({ HISTORY_STORE_TEXT: 'false' }).HISTORY_STORE_TEXT).toBe(false);
    expect(loadEnvironment({ DATABASE_MIGRATE_ON_START: 'yes' }).DATABASE_MIGRATE_ON_START).toBe(
      true,
    );
    expect(() => loadEnvironment({ REDIS_REQUIRED: 'maybe' })).toThrow(/REDIS_REQUIRED/);
  });
});

describe('byte sizes', () => {
  it('reads sizes in bytes or with a kb, mb or gb unit (powers of 1024)', () => {
    const env = loadEnvironment({
      HISTORY_BUFFER_MAX_BYTES: '64mb',
      CACHE_MAX_BYTES: '2097152',
      HISTORY_MEMORY_MAX_BYTES: '1GB',
    });
    expect(env.HISTORY_BUFFER_MAX_BYTES).toBe(64 * 1024 * 1024);
    expect(env.CACHE_MAX_BYTES).toBe(2 * 1024 * 1024);
    expect(env.HISTORY_MEMORY_MAX_BYTES).toBe(1024 ** 3);
  });

  it('defaults the history buffer to 64 MiB, within a 512 MiB container', () => {
    expect(loadEnvironment({}).HISTORY_BUFFER_MAX_BYTES).toBe(64 * 1024 * 1024);
  });

  it('names every invalid size in one error', () => {
    let caught: unknown;
    try {
      loadEnvironment({
        HISTORY_BUFFER_MAX_BYTES: 'lots',
        CACHE_MAX_BYTES: '1kb',
        HISTORY_MEMORY_MAX_BYTES: '5gb',
      });
    } catch (error) {
      caught = error;
    }
    const error = caught as ConfigValidationError;
    expect(error.problems).toHaveLength(3);
    for (const name of ['HISTORY_BUFFER_MAX_BYTES', 'CACHE_MAX_BYTES', 'HISTORY_MEMORY_MAX_BYTES'])
      expect(error.message).toContain(`${name} must be a size such as 16mb`);
  });
});

describe('.env.example', () => {
  it('documents every variable with its default value', () => {
    const text = readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8');
    const documented = Object.fromEntries(
      text
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(documented).sort()).toEqual(Object.keys(new Environment()).sort());
    expect({ ...loadEnvironment(documented) }).toEqual({ ...loadEnvironment({}) });
  });
});
