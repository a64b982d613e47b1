import { expect } from '@jest/globals';
import type request from 'supertest';

/**
 * A clear 4xx: a problem document with the expected status and detail, the request id in the
 * body and the header, and nothing of the server's internals (no stack frames).
 */
export function expectProblem(
  res: request.Response,
  status: number,
  detail: string | RegExp,
): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: 'about:blank', status, title: expect.any(String) });
  if (typeof detail === 'string') expect(res.body.detail).toBe(detail);
  else expect(res.body.detail).toMatch(detail);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  expect(res.body.request_id).toBe(res.headers['x-request-id']);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(js|ts):\d+/);
}
