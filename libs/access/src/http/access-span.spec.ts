import { beforeEach, describe, expect, it } from '@jest/globals';
import { HttpException, HttpStatus } from '@nestjs/common';
import { recordSpans } from '@app/platform/telemetry/testing';
import { setAccessContext } from './access-context.js';
import { traceAccess } from './access-span.js';

const recorder = recordSpans();

describe('traceAccess', () => {
  beforeEach(() => recorder.reset());
  const span = () => recorder.spans().find((s) => s.name === 'access')!;

  it('records an admitted client by its configured id', async () => {
    const request = {};
    const admitted = await traceAccess(request, () => {
      setAccessContext(request, { clientId: 'team-a', partition: 'c:team-a', label: 'team-a' });
      return Promise.resolve(true);
    });
    expect(admitted).toBe(true);
    expect(span().attributes).toEqual({
      'access.outcome': 'admitted',
      'access.client_id': 'team-a',
    });
  });

  it('names an open service’s caller anonymous', async () => {
    const request = {};
    await traceAccess(request, () => {
      setAccessContext(request, { clientId: null, partition: 'ip:x', label: 'anonymous' });
      return Promise.resolve(true);
    });
    expect(span().attributes['access.client_id']).toBe('anonymous');
  });

  it.each([
    [HttpStatus.UNAUTHORIZED, 'unauthorized'],
    [HttpStatus.TOO_MANY_REQUESTS, 'rate_limited'],
    [HttpStatus.SERVICE_UNAVAILABLE, 'overloaded'],
  ])('records a refusal with status %d as %s', async (status, outcome) => {
    const refusal = new HttpException('refused', status);
    await expect(traceAccess({}, () => Promise.reject(refusal))).rejects.toBe(refusal);
    expect(span().attributes).toEqual({ 'access.outcome': outcome });
  });

  it('records an unexpected failure as failed, with an error status', async () => {
    await expect(traceAccess({}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(span().attributes).toEqual({ 'access.outcome': 'failed' });
    expect(span().status.code).toBe(2);
  });
});
