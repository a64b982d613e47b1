import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, testKey } from './support/api-keys.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Stored responses belong to the API client that made them; the store is bounded. */
describe('stored responses with API keys', () => {
  const acme = testKey('acme');
  const beta = testKey('beta');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      API_KEYS: `${acme.entry},${beta.entry}`,
      RESPONSES_STORE_MAX_ENTRIES: '2',
    });
  });
  afterAll(() => t.close());

  const create = (key: string, body: Record<string, unknown>) =>
    request(t.server)
      .post('/v1/responses')
      .set(bearer(key))
      .send({ model: 'builtin-echo', ...body });

  it("answers 404 for another client's response, on every route and as previous_response_id", async () => {
    const mine = await create(acme.key, { input: 'acme secret' }).expect(200);
    const id = mine.body.id as string;
    await request(t.server).get(`/v1/responses/${id}`).set(bearer(acme.key)).expect(200);
    for (const path of [`/v1/responses/${id}`, `/v1/responses/${id}/input_items`]) {
      const res = await request(t.server).get(path).set(bearer(beta.key)).expect(404);
      expect(res.body.error).toMatchObject({ code: 'not_found', type: 'invalid_request_error' });
    }
    await request(t.server).delete(`/v1/responses/${id}`).set(bearer(beta.key)).expect(404);
    const borrowed = await create(beta.key, { input: 'x', previous_response_id: id }).expect(404);
    expect(borrowed.body.error.param).toBe('previous_response_id');
    expect(JSON.stringify(borrowed.body)).not.toContain('acme secret');
    await request(t.server).get(`/v1/responses/${id}`).expect(401);
  });

  it('keeps nothing with store: false, and drops the oldest beyond its bounds', async () => {
    const unstored = await create(acme.key, { input: 'a', store: false }).expect(200);
    await request(t.server)
      .get(`/v1/responses/${unstored.body.id}`)
      .set(bearer(acme.key))
      .expect(404);
    const ids: string[] = [];
    for (const input of ['one', 'two', 'three']) {
      ids.push((await create(acme.key, { input }).expect(200)).body.id as string);
    }
    await request(t.server).get(`/v1/responses/${ids[0]}`).set(bearer(acme.key)).expect(404);
    await request(t.server).get(`/v1/responses/${ids[2]}`).set(bearer(acme.key)).expect(200);
  });

  it('refuses malformed input in OpenAI error shape, naming the parameter', async () => {
    for (const [body, param] of [
      [{ input: [] }, 'input'],
      [{ input: [{ type: 'computer_call' }] }, 'input[0].type'],
      [{ input: [{ role: 'robot', content: 'x' }] }, 'input[0].role'],
      [{ input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      [{ input: 'x', bogus: 1 }, 'bogus'],
    ] as const) {
      const res = await create(acme.key, body).expect(400);
      expect(res.body.error.param).toBe(param);
    }
  });
});
