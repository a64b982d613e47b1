import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Every /v1 answer speaks OpenAI's error shape, unknown routes and wrong methods included. */
describe('/v1 routes nobody serves', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const expectOpenAiError = (res: request.Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
    });
  };

  it('an unknown /v1 route is an OpenAI 404 that quotes nothing of the path', async () => {
    for (const path of ['/v1/no-such-thing', '/v1/chat/completion', '/v1', '/v1/secret-path?x=1']) {
      const res = await request(t.server).post(path).send({ model: 'm' });
      expectOpenAiError(res, 404, 'unknown_url');
      expect(res.body.error.message).not.toMatch(/secret|no-such|completion\b/);
    }
    expectOpenAiError(await request(t.server).get('/v1/responses/abc/nope'), 404, 'unknown_url');
  });

  it('a wrong method on a /v1 route is an OpenAI 405 with Allow', async () => {
    const res = await request(t.server).get('/v1/chat/completions');
    expectOpenAiError(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toBe('POST');
    const models = await request(t.server).delete('/v1/models');
    expectOpenAiError(models, 405, 'method_not_allowed');
    expect(models.headers.allow).toBe('GET, HEAD');
  });

  it('the rest of the service keeps problem documents', async () => {
    const res = await request(t.server).get('/v2/models');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
