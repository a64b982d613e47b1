import { describe, expect, it } from '@jest/globals';
import { IsInt, Max, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import { ConfigValidationError, loadEnvironment } from './load-environment.js';
import { toInt } from './transforms.js';

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
  it('needs the drain delay to fit inside the grace period', () => {
    expect(() => loadEnvironment({ SHUTDOWN_DRAIN_DELAY_MS: '10000' })).toThrow(
      /SHUTDOWN_DRAIN_DELAY_MS must be shorter than SHUTDOWN_GRACE_MS/,
    );
    expect(loadEnvironment({ SHUTDOWN_DRAIN_DELAY_MS: '5000' }).SHUTDOWN_DRAIN_DELAY_MS).toBe(5000);
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

/** A lib's slice, as the agent and access libs declare theirs. */
class WidgetEnvironment {
  @Transform(toInt) @IsInt() @Min(1) @Max(10) WIDGETS = 3;
  @Transform(toInt) @IsInt() @Min(0) SPARE_WIDGETS = 0;

  static problems(env: WidgetEnvironment): string[] {
    return env.SPARE_WIDGETS > env.WIDGETS ? ['SPARE_WIDGETS must not exceed WIDGETS'] : [];
  }
}

describe('loadEnvironment with the slices of the libs', () => {
  it('validates each slice with the platform and returns them as one object', () => {
    const env = loadEnvironment({ PORT: '9000', WIDGETS: '7' }, WidgetEnvironment);
    expect(env).toMatchObject({ PORT: 9000, WIDGETS: 7, SPARE_WIDGETS: 0 });
    expect(env.WIDGETS + env.PORT).toBe(9007);
  });

  it("reads a slice's variables only when the slice is asked for", () => {
    expect(loadEnvironment({ WIDGETS: 'many' })).not.toHaveProperty('WIDGETS');
  });

  it("lists every problem of every slice in one error, a slice's own rules included", () => {
    let caught: unknown;
    try {
      loadEnvironment({ PORT: 'x', WIDGETS: '11', SPARE_WIDGETS: '-1' }, WidgetEnvironment);
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigValidationError).problems).toEqual([
      'PORT must be an integer number',
      'WIDGETS must not be greater than 10',
      'SPARE_WIDGETS must not be less than 0',
    ]);
    expect(() => loadEnvironment({ WIDGETS: '2', SPARE_WIDGETS: '5' }, WidgetEnvironment)).toThrow(
      'SPARE_WIDGETS must not exceed WIDGETS',
    );
  });
});
