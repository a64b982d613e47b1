import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { expectProblem } from './support/problem.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Every bad input is a clear 4xx problem document, and the service stays healthy after it. */
describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT: '1kb' });
  });
  afterAll(async () => {
    await request(t.server).get('/health').expect(200);
    await t.close();
  });

  it('malformed JSON is a 400 that does not quote the body', async () => {
    const res = await request(t.server)
      .post('/query')
      .set('Content-Type', 'application/json')
      .send('{"prompt": "secret-fragment');
    expectProblem(res, 400, 'Request body is not valid JSON');
    expect(res.text).not.toContain('secret-fragment');
  });

  it('a non-JSON content type is a 415', async () => {
    const res = await request(t.server)
      .post('/query')
      .set('Content-Type', 'text/plain')
      .send('prompt=hi');
    expectProblem(res, 415, 'Request body must be sent as application/json');
  });

  it('a form body is a 415', async () => {
    const res = await request(t.server).post('/query').type('form').send({ prompt: 'hi' });
    expectProblem(res, 415, /application\/json/);
  });

  it('a missing body is a 400 naming the prompt', async () => {
    const res = await request(t.server).post('/query');
    expectProblem(res, 400, /Request body must be a JSON object|Prompt/);
  });

  it.each([['[1,2]'], ['"just a string"'], ['null'], ['42']])(
    'a JSON %s body is a 400',
    async (body) => {
      const res = await request(t.server)
        .post('/query')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    },
  );

  it('a body over BODY_LIMIT is a 413', async () => {
    const res = await request(t.server)
      .post('/query')
      .send({ prompt: 'a'.repeat(2048) });
    expectProblem(res, 413, 'Request body is larger than the configured limit');
  });

  it.each([
    [{ prompt: 42 }, 'prompt', 'prompt must be a string'],
    [{ prompt: ['a'] }, 'prompt', 'prompt must be a string'],
    [{}, 'prompt', 'prompt must be a string'],
    [{ prompt: 'hi', max_tokens: '100' }, 'max_tokens', 'max_tokens must be an integer'],
    [{ prompt: 'hi', max_tokens: 12.5 }, 'max_tokens', 'max_tokens must be an integer'],
  ])('wrong field type %j is a 400 with a field error', async (body, field, message) => {
    const res = await request(t.server).post('/query').send(body);
    expectProblem(res, 400, message);
    expect(res.body.errors).toEqual([{ field, message }]);
  });

  it('a prompt with a NUL character is a 400', async () => {
    const res = await request(t.server).post('/query').send({ prompt: 'a\u0000b' });
    expectProblem(res, 400, 'prompt must not contain NUL characters');
  });

  it('unknown fields are a 400 listing each of them', async () => {
    const res = await request(t.server)
      .post('/query')
      .send({ prompt: 'hi', model: 'x', temperature: 1 });
    expectProblem(res, 400, /property model should not exist/);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'model',
      'temperature',
    ]);
  });

  it('several bad fields are reported together', async () => {
    const res = await request(t.server).post('/query').send({ prompt: '', max_tokens: 5 });
    expectProblem(res, 400, 'Prompt cannot be empty; max_tokens must be between 10 and 2000');
    expect(res.body.errors).toHaveLength(2);
  });

  it('an unknown route is a 404', async () => {
    const res = await request(t.server).get('/no/such/route');
    expectProblem(res, 404, /Cannot GET/);
    expect(res.body.instance).toBe('/no/such/route');
  });

  it('a wrong method on a known route is a 405 problem naming the allowed ones', async () => {
    const res = await request(t.server).get('/query');
    expectProblem(res, 405, 'Method GET is not allowed here');
    expect(res.headers.allow).toBe('POST');
  });
});

describe('request ids and hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: 'https://app.example.com' });
  });
  afterAll(() => t.close());

  it('echoes a safe X-Request-Id and generates one otherwise', async () => {
    const echoed = await request(t.server).get('/health').set('X-Request-Id', 'abc-123.x');
    expect(echoed.headers['x-request-id']).toBe('abc-123.x');
    const replaced = await request(t.server)
      .get('/health')
      .set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets helmet security headers', async () => {
    const res = await request(t.server).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('allows configured CORS origins only', async () => {
    const allowed = await request(t.server)
      .options('/query')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const denied = await request(t.server).get('/health').set('Origin', 'https://evil.example.com');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS closed by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('sends no CORS headers when no origin is configured', async () => {
    const res = await request(t.server).get('/health').set('Origin', 'https://app.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
