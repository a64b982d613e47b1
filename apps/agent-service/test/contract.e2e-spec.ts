import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';

/** The API existing clients depend on, call by call: they must keep working unchanged. */
describe('compatible API contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ APP_VERSION: '2.3.4', ENVIRONMENT: 'staging' });
  });
  afterAll(() => t.close());

  it('GET /health answers healthy with the version', async () => {
    const res = await request(t.server).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'healthy', version: '2.3.4' });
  });

  it('GET /ready is ready on embedded defaults, dependencies not configured', async () => {
    const res = await request(t.server).get('/ready').expect(200);
    expect(res.body).toMatchObject({
      ready: true,
      status: 'ok',
      checks: { database: 'not_configured', cache: 'not_configured', api: 'responsive' },
    });
  });

  it('POST /query answers "Processed: <prompt>" with a real token count', async () => {
    const res = await request(t.server)
      .post('/query')
      .send({ prompt: 'Hello, world', max_tokens: 50 })
      .expect(200)
      .expect('Content-Type', /application\/json/);
    expect(res.body).toMatchObject({
      response: 'Processed: Hello, world',
      tokens_used: 8,
      provider: 'builtin',
      model: 'builtin-echo',
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reports the answer's cache, upstream and total time in Server-Timing", async () => {
    const prompt = `timing ${Math.random()}`;
    const timing = (header: string | undefined) =>
      Object.fromEntries(
        (header ?? '').split(', ').map((m) => {
          const [name, dur] = m.split(';dur=');
          return [name, Number(dur)];
        }),
      );
    const miss = await request(t.server).post('/query').send({ prompt }).expect(200);
    expect(miss.headers['server-timing']).toMatch(
      /^cache;dur=[\d.]+, upstream;dur=[\d.]+, total;dur=[\d.]+$/,
    );
    const m = timing(miss.headers['server-timing']);
    expect(m.total).toBeGreaterThanOrEqual(m.upstream + m.cache);
    const hit = await request(t.server).post('/query').send({ prompt }).expect(200);
    expect(hit.headers['server-timing']).toMatch(/^cache;dur=[\d.]+, total;dur=[\d.]+$/);
    const chat = () =>
      request(t.server)
        .post('/v1/chat/completions')
        .send({ model: 'builtin-echo', messages: [{ role: 'user', content: prompt }] })
        .expect(200);
    expect((await chat()).headers['server-timing']).toMatch(
      /^cache;dur=[\d.]+, upstream;dur=[\d.]+, total;dur=[\d.]+$/,
    );
    expect((await chat()).headers['server-timing']).toMatch(/^cache;dur=[\d.]+, total;dur=[\d.]+$/);
    // Routes that consult neither say nothing.
    const health = await request(t.server).get('/health').expect(200);
    expect(health.headers['server-timing']).toBeUndefined();
  });

  it('POST /query defaults max_tokens to 100', async () => {
    const res = await request(t.server).post('/query').send({ prompt: 'hi' }).expect(200);
    const record = await request(t.server).get(`/queries/${res.body.id}`).expect(200);
    expect(record.body.max_tokens).toBe(100);
  });

  it('POST /query cuts long prompts to 100 characters plus "..."', async () => {
    const prompt = 'x'.repeat(150);
    const res = await request(t.server).post('/query').send({ prompt }).expect(200);
    expect(res.body.response).toBe(`Processed: ${'x'.repeat(100)}...`);
  });

  it.each(['', '   '])(
    'rejects the empty prompt %j with the documented message',
    async (prompt) => {
      const res = await request(t.server).post('/query').send({ prompt }).expect(400);
      expect(res.body.detail).toBe('Prompt cannot be empty');
    },
  );

  it.each([9, 2001, 0, -5])(
    'rejects max_tokens=%d with the documented message',
    async (max_tokens) => {
      const res = await request(t.server)
        .post('/query')
        .send({ prompt: 'hi', max_tokens })
        .expect(400);
      expect(res.body.detail).toBe('max_tokens must be between 10 and 2000');
    },
  );

  it.each([10, 2000])('accepts the boundary max_tokens=%d', async (max_tokens) => {
    await request(t.server).post('/query').send({ prompt: 'hi', max_tokens }).expect(200);
  });

  it('GET /metrics serves the JSON summary for Accept: application/json', async () => {
    const res = await request(t.server)
      .get('/metrics')
      .set('Accept', 'application/json')
      .expect(200);
    expect(res.body).toEqual({
      app_name: 'AI Agent Service',
      version: '2.3.4',
      environment: 'staging',
    });
  });

  it('GET /metrics serves Prometheus text by default', async () => {
    await request(t.server).post('/query').send({ prompt: 'count me' }).expect(200);
    const res = await request(t.server).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('app_info{version="2.3.4",environment="staging"} 1');
    expect(res.text).toMatch(
      /http_requests_total\{method="POST",route="\/query",status="200"\} \d+/,
    );
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('process_resident_memory_bytes');
  });

  it('serves the OpenAPI document titled "AI Agent Service" with every route', async () => {
    const res = await request(t.server).get('/openapi.json').expect(200);
    expect(res.body.info).toMatchObject({ title: 'AI Agent Service', version: '2.3.4' });
    expect(Object.keys(res.body.paths).sort()).toEqual([
      '/admin/audit',
      '/admin/keys',
      '/admin/keys/{id}',
      '/admin/keys/{id}/revoke',
      '/admin/keys/{id}/rotate',
      '/admin/usage',
      '/docs',
      '/docs/{file}',
      '/health',
      '/metrics',
      '/openapi.json',
      '/queries',
      '/queries/{id}',
      '/query',
      '/ready',
      '/v1/chat/completions',
      '/v1/conversations',
      '/v1/conversations/{id}',
      '/v1/conversations/{id}/items',
      '/v1/conversations/{id}/items/{itemId}',
      '/v1/models',
      '/v1/models/{id}',
      '/v1/responses',
      '/v1/responses/{id}',
      '/v1/responses/{id}/input_items',
      '/v1/usage',
    ]);
    const query = res.body.paths['/query'].post;
    expect(query.requestBody.content['application/json'].schema.$ref).toMatch(/CreateQueryDto/);
    // Both answers are documented: JSON, and the event stream with its event format.
    expect(Object.keys(query.responses['200'].content).sort()).toEqual([
      'application/json',
      'text/event-stream',
    ]);
    expect(query.responses['200'].content['text/event-stream'].example).toContain('event: done');
    expect(res.body.components.schemas.QueryStreamDoneDto).toBeDefined();
    expect(Object.keys(query.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '404',
      '413',
      '415',
      '429',
      '500',
      '502',
      '503',
      '504',
    ]);
    expect(query.responses['200'].headers['X-Cache']).toBeDefined();
    expect(res.body.components.schemas.CreateQueryDto.properties.max_tokens).toMatchObject({
      minimum: 10,
      maximum: 2000,
      default: 100,
    });
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await request(t.server).get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
  });
});
