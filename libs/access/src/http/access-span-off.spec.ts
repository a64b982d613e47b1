import { describe, expect, it, jest } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { traceAccess } from './access-span.js';

// No recorder here: tracing is off, as in a service started without an OTLP endpoint.
describe('traceAccess with tracing off', () => {
  it('runs the check directly, without touching the context API', async () => {
    const watched = [jest.spyOn(context, 'with'), jest.spyOn(trace, 'getTracer')];
    await expect(traceAccess({}, () => Promise.resolve(true))).resolves.toBe(true);
    await expect(traceAccess({}, () => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    );
    for (const spy of watched) expect(spy).not.toHaveBeenCalled();
  });
});
