import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { bearer, testKey } from './support/api-keys.js';
import { startTarget, type AgentTarget } from './support/agent-target.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const user = (text: string) => ({ type: 'message', role: 'user', content: text });

/** /query's conversation_id, against the built service (its upstream is judged by its own rules). */
describe.each(['builtin', 'upstream'] as const)('/query in a conversation (%s)', (kind) => {
  let target: AgentTarget;
  beforeAll(async () => {
    target = await startTarget(kind);
  });
  afterAll(() => target.stop());

  const post = async (path: string, body: object) => {
    const res = await fetch(`${target.service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return res;
  };

  it('asks with the earlier turns, adds each turn (streamed or not), and links the history', async () => {
    const { id } = (await (await post('/v1/conversations', {})).json()) as { id: string };
    const first = (await (
      await post('/query', { prompt: 'my name is Ada', conversation_id: id })
    ).json()) as { id: string; response: string };
    const streamed = await post('/query', {
      prompt: 'what is my name?',
      conversation_id: id,
      stream: true,
    });
    expect(await streamed.text()).toContain('event: done');
    if (target.upstream) {
      expect(target.upstream.last.messages).toEqual([
        { role: 'user', content: 'my name is Ada' },
        { role: 'assistant', content: first.response },
        { role: 'user', content: 'what is my name?' },
      ]);
    }
    const list = await fetch(`${target.baseURL}/conversations/${id}/items?order=asc`);
    const { data } = (await list.json()) as {
      data: { role: string; content: { text: string }[] }[];
    };
    expect(data.map((i) => [i.role, i.content[0].text])).toEqual([
      ['user', 'my name is Ada'],
      ['assistant', first.response],
      ['user', 'what is my name?'],
      ['assistant', expect.any(String)],
    ]);
    const record = await fetch(`${target.service.url}/queries/${first.id}`);
    expect(((await record.json()) as { conversation_id: string }).conversation_id).toBe(id);
    const missing = await fetch(`${target.service.url}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x', conversation_id: 'conv_missing' }),
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });
});

/** Conversations: ownership, byte bounds and the time to live. */
describe('conversations', () => {
  const acme = testKey('acme');
  const beta = testKey('beta');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      API_KEYS: `${acme.entry},${beta.entry}`,
      CONVERSATION_MAX_BYTES: '4kb',
      CONVERSATION_TTL_SECONDS: '60',
      RESPONSES_STORE_TTL_SECONDS: '60',
      BODY_LIMIT: '16kb',
    });
  });
  afterAll(() => t.close());
  afterEach(() => {
    jest.useRealTimers();
  });

  const create = async (key: string, body: object = {}) =>
    (await request(t.server).post('/v1/conversations').set(bearer(key)).send(body).expect(200))
      .body as { id: string };
  const items = async (key: string, id: string) =>
    (
      await request(t.server)
        .get(`/v1/conversations/${id}/items?order=asc&limit=100`)
        .set(bearer(key))
        .expect(200)
    ).body.data as { id: string; role?: string; content?: { text: string }[] }[];

  it("answers 404 for another client's conversation, on every route and on /query", async () => {
    const { id } = await create(acme.key, { items: [user('acme secret')] });
    const [item] = await items(acme.key, id);
    const routes: [string, string, object?][] = [
      ['get', `/v1/conversations/${id}`],
      ['post', `/v1/conversations/${id}`, { metadata: {} }],
      ['get', `/v1/conversations/${id}/items`],
      ['post', `/v1/conversations/${id}/items`, { items: [user('x')] }],
      ['get', `/v1/conversations/${id}/items/${item.id}`],
      ['delete', `/v1/conversations/${id}/items/${item.id}`],
      ['delete', `/v1/conversations/${id}`],
    ];
    for (const [method, path, body] of routes) {
      const call = request(t.server)[method as 'get'](path).set(bearer(beta.key));
      const res = await (body ? call.send(body) : call).expect(404);
      expect(res.body.error).toMatchObject({ code: 'not_found', type: 'invalid_request_error' });
      expect(JSON.stringify(res.body)).not.toContain('acme secret');
    }
    const borrowed = await request(t.server)
      .post('/v1/responses')
      .set(bearer(beta.key))
      .send({ model: 'builtin-echo', input: 'x', conversation: id })
      .expect(404);
    expect(borrowed.body.error.param).toBe('conversation');
    const query = await request(t.server)
      .post('/query')
      .set(bearer(beta.key))
      .send({ prompt: 'x', conversation_id: id })
      .expect(404);
    expect(query.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(query.body.detail).toMatch(/No conversation/);
    await request(t.server).get(`/v1/conversations/${id}`).expect(401);
    // Still whole for its owner.
    expect(await items(acme.key, id)).toHaveLength(1);
  });

  it('refuses items larger than a conversation keeps, and keeps the newest within its bound', async () => {
    const { id } = await create(acme.key);
    const big = await request(t.server)
      .post(`/v1/conversations/${id}/items`)
      .set(bearer(acme.key))
      .send({ items: [user('x'.repeat(5000))] })
      .expect(400);
    expect(big.body.error).toMatchObject({ param: 'items', code: 'conversation_too_large' });
    expect(big.body.error.message).toMatch(/at most 4096/);
    const tooBig = await request(t.server)
      .post('/v1/responses')
      .set(bearer(acme.key))
      .send({ model: 'builtin-echo', input: 'y'.repeat(5000), conversation: id })
      .expect(400);
    expect(tooBig.body.error.param).toBe('input');
    await request(t.server)
      .post('/v1/conversations')
      .set(bearer(acme.key))
      .send({ items: [user('z'.repeat(20_000))] })
      .expect(413);
    for (let i = 0; i < 10; i++) {
      await request(t.server)
        .post(`/v1/conversations/${id}/items`)
        .set(bearer(acme.key))
        .send({ items: [user(`${i} ${'w'.repeat(900)}`)] })
        .expect(200);
    }
    const kept = await items(acme.key, id);
    expect(kept.length).toBeLessThan(10);
    expect(kept.at(-1)?.content?.[0].text).toMatch(/^9 /);
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThanOrEqual(4096 + 64);
  });

  it('refuses malformed items, metadata and pages in OpenAI error shape', async () => {
    const { id } = await create(acme.key);
    for (const [body, param] of [
      [{ items: 'x' }, 'items'],
      [{ items: [{ type: 'computer_call' }] }, 'items[0].type'],
      [{ metadata: { k: 1 } }, 'metadata'],
      [
        { metadata: Object.fromEntries([...Array(17).keys()].map((k) => [`k${k}`, 'v'])) },
        'metadata',
      ],
      [{ bogus: 1 }, 'bogus'],
    ] as const) {
      const res = await request(t.server)
        .post('/v1/conversations')
        .set(bearer(acme.key))
        .send(body)
        .expect(400);
      expect(res.body.error.param).toBe(param);
    }
    for (const query of ['limit=0', 'limit=101', 'order=sideways']) {
      await request(t.server)
        .get(`/v1/conversations/${id}/items?${query}`)
        .set(bearer(acme.key))
        .expect(400);
    }
    await request(t.server)
      .post(`/v1/conversations/${id}/items`)
      .set(bearer(acme.key))
      .send({ items: [] })
      .expect(400);
    const both = await request(t.server)
      .post('/v1/responses')
      .set(bearer(acme.key))
      .send({ model: 'builtin-echo', input: 'x', conversation: id, previous_response_id: 'resp_1' })
      .expect(400);
    expect(both.body.error.param).toBe('conversation');
  });

  it('forgets conversations and stored responses once their time to live has passed', async () => {
    // Only Date is faked: timers, sockets and the event loop run as usual.
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
      now: Date.now(),
    });
    const idle = await create(acme.key);
    const used = await create(acme.key);
    const response = await request(t.server)
      .post('/v1/responses')
      .set(bearer(acme.key))
      .send({ model: 'builtin-echo', input: 'keep me' })
      .expect(200);
    jest.setSystemTime(Date.now() + 40_000);
    await request(t.server).get(`/v1/conversations/${used.id}`).set(bearer(acme.key)).expect(200);
    jest.setSystemTime(Date.now() + 40_000);
    await request(t.server).get(`/v1/conversations/${idle.id}`).set(bearer(acme.key)).expect(404);
    await request(t.server)
      .get(`/v1/responses/${response.body.id}`)
      .set(bearer(acme.key))
      .expect(404);
    // Each use renewed it: 40 s since the last one.
    await request(t.server).get(`/v1/conversations/${used.id}`).set(bearer(acme.key)).expect(200);
  });
});
