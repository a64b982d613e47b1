import { describe, expect, it } from '@jest/globals';
import { stdSerializers } from 'pino';
import { errorSerializer } from './log-fields.js';

class UpstreamError extends Error {
  code = 'ECONNREFUSED';
}

describe('errorSerializer', () => {
  const secret = 'prompt text the message quotes';

  it('keeps the class, a safe code and the stack frames of an Error, never its message', () => {
    const out = errorSerializer(new UpstreamError(secret));
    expect(out).toMatchObject({ type: 'UpstreamError', code: 'ECONNREFUSED' });
    expect((out.frames as string[]).length).toBeGreaterThan(0);
    expect(JSON.stringify(out)).not.toContain(secret);
  });

  it("reads the original error behind pino's serialized form (as pino-http hands it over)", () => {
    const out = errorSerializer(stdSerializers.err(new UpstreamError(secret)));
    expect(out.type).toBe('UpstreamError');
    expect((out.frames as string[])[0]).toMatch(/^at /);
    expect(JSON.stringify(out)).not.toContain(secret);
  });

  it('drops codes that are not identifiers, and reduces non-errors to their type', () => {
    const error = Object.assign(new Error('x'), { code: `bad code ${secret}` });
    expect(errorSerializer(error).code).toBeUndefined();
    expect(errorSerializer({ message: secret })).toEqual({ type: 'object' });
    expect(errorSerializer(secret)).toEqual({ type: 'string' });
  });
});
