import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, testKey } from '../support/api-keys.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** With API_KEYS set: who may call, and each client sees only its own history. */
describe('API keys', () => {
  const acme = testKey('acme');
  const beta = testKey('beta');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ API_KEYS: `${acme.entry},${beta.entry}` });
  });
  afterAll(() => t.close());

  const ask = (headers: Record<string, string>, prompt = 'hello') =>
    request(t.server).post('/query').set(headers).send({ prompt });

  it.each([
    ['no key', {}],
    ['an unknown key', bearer('aik_unknown')],
    ['an unknown X-API-Key', { 'X-API-Key': 'aik_unknown' }],
    ['a key in another scheme', { Authorization: `Basic ${acme.key}` }],
  ])('refuses %s with the same 401 problem and a Bearer challenge', async (_what, headers) => {
    for (const call of [
      ask(headers),
      request(t.server).get('/queries').set(headers),
      request(t.server).get('/queries/00000000-0000-4000-8000-000000000000').set(headers),
    ]) {
      const res = await call.expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="ai-agent-service"');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'A valid API key is required (Authorization: Bearer <key> or X-API-Key: <key>)',
      });
      expect(res.headers['ratelimit']).toBeUndefined();
    }
  });

  it('answers a valid key sent either way, naming the client but never the key', async () => {
    const viaBearer = await ask(bearer(acme.key)).expect(200);
    const viaHeader = await ask({ 'X-API-Key': beta.key }).expect(200);
    expect(viaBearer.body).toMatchObject({ response: 'Processed: hello', client_id: 'acme' });
    expect(viaHeader.body.client_id).toBe('beta');
    expect(JSON.stringify(viaBearer.body) + JSON.stringify(viaBearer.headers)).not.toContain(
      acme.key,
    );
  });

  it('refuses two different keys in one request, and takes the same key sent twice', async () => {
    const both = { ...bearer(acme.key), 'X-API-Key': beta.key };
    const res = await ask(both).expect(400);
    expect(res.body).toMatchObject({
      status: 400,
      detail: 'Authorization and X-API-Key carry different keys: send one key',
    });
    expect(JSON.stringify(res.body)).not.toContain(acme.key);
    const same = await ask({ ...bearer(acme.key), 'X-API-Key': acme.key }).expect(200);
    expect(same.body.client_id).toBe('acme');
  });

  it("never answers one client from another's cached answer, on either API", async () => {
    const chat = (key: string, content: string) =>
      request(t.server)
        .post('/v1/chat/completions')
        .set(bearer(key))
        // With /query's token bound, the same upstream request as /query's: they share entries.
        .send({ model: 'builtin-echo', messages: [{ role: 'user', content }], max_tokens: 100 })
        .expect(200);
    const cacheOf = async (call: Promise<request.Response>) => (await call).headers['x-cache'];
    const secret = `acme private ${Math.random()}`;
    expect(await cacheOf(ask(bearer(acme.key), secret).expect(200))).toBe('MISS');
    expect(await cacheOf(ask(bearer(beta.key), secret).expect(200))).toBe('MISS');
    // Each client's own answer serves it again, across both APIs.
    expect(await cacheOf(chat(beta.key, secret))).toBe('HIT');
    expect(await cacheOf(chat(acme.key, secret))).toBe('HIT');
    const other = `beta only ${Math.random()}`;
    expect(await cacheOf(chat(beta.key, other))).toBe('MISS');
    expect(await cacheOf(ask(bearer(acme.key), other).expect(200))).toBe('MISS');
  });

  it("shows each client only its own history: another client's record is 404", async () => {
    const mine = (await ask(bearer(acme.key), 'acme secret').expect(200)).body.id as string;
    const theirs = (await ask(bearer(beta.key), 'beta secret').expect(200)).body.id as string;

    const own = await request(t.server).get(`/queries/${mine}`).set(bearer(acme.key)).expect(200);
    expect(own.body).toMatchObject({ id: mine, client_id: 'acme', prompt: 'acme secret' });
    const other = await request(t.server).get(`/queries/${theirs}`).set(bearer(acme.key));
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('beta secret');

    const list = await request(t.server)
      .get('/queries?limit=100')
      .set(bearer(acme.key))
      .expect(200);
    const clients = new Set(list.body.items.map((r: { client_id: string }) => r.client_id));
    expect([...clients]).toEqual(['acme']);
    expect(list.body.items.map((r: { id: string }) => r.id)).toContain(mine);
    expect(list.body.items.map((r: { id: string }) => r.id)).not.toContain(theirs);
  });

  it('keeps the probes, metrics and docs open', async () => {
    await request(t.server).get('/health').expect(200);
    await request(t.server).get('/ready').expect(200);
    await request(t.server).get('/metrics').expect(200);
    await request(t.server).get('/openapi.json').expect(200);
    await request(t.server).get('/docs').redirects(1).expect(200);
  });

  it('counts requests and tokens per configured client id, and refusals without one', async () => {
    const before = await request(t.server).get('/metrics');
    const admitted = (text: string) =>
      Number(/access_requests_total\{client="acme"\} (\d+)/.exec(text)?.[1] ?? 0);
    await ask(bearer(acme.key)).expect(200);
    await ask({}).expect(401);
    const after = (await request(t.server).get('/metrics')).text;
    expect(admitted(after)).toBe(admitted(before.text) + 1);
    expect(after).toMatch(/access_tokens_total\{client="acme"\} [1-9]\d*/);
    expect(after).toMatch(/access_unauthorized_total [1-9]\d*/);
    expect(after).not.toContain('client="anonymous"');
  });

  it('documents both ways to send a key, so "Authorize" in Swagger UI works', async () => {
    const doc = (await request(t.server).get('/openapi.json').expect(200)).body;
    expect(doc.components.securitySchemes).toEqual({
      'admin-bearer': expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'api-key-bearer': expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'api-key-header': expect.objectContaining({
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
      }),
    });
    for (const operation of [doc.paths['/query'].post, doc.paths['/queries'].get]) {
      expect(operation.security).toEqual([{ 'api-key-bearer': [] }, { 'api-key-header': [] }]);
      expect(operation.responses['401']).toBeDefined();
    }
    expect(doc.paths['/health'].get.security).toBeUndefined();
  });
});

describe('metrics token and docs switch', () => {
  const token = 'metrics-token-0123456789';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: token, DOCS_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('asks for the token on /metrics only', async () => {
    const refused = await request(t.server).get('/metrics').expect(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(refused.body).toMatchObject({
      status: 401,
      detail: 'A valid metrics token is required',
    });
    await request(t.server).get('/metrics').set(bearer('metrics-token-wrong-000')).expect(401);
    await request(t.server).get('/metrics').set(bearer(token)).expect(200);
    await request(t.server).get('/health').expect(200);
    await request(t.server).get('/ready').expect(200);
    await request(t.server).post('/query').send({ prompt: 'open' }).expect(200);
  });

  it('serves no docs with DOCS_ENABLED=false', async () => {
    await request(t.server).get('/openapi.json').expect(404);
    await request(t.server).get('/docs').expect(404);
  });
});
