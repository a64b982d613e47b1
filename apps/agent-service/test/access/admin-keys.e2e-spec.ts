import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { bearer, testKey } from '../support/api-keys.js';
import { expectProblem } from '../support/problem.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'admin-token-for-the-e2e-suite-0123456789';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The key API with ADMIN_TOKEN, keys in memory (no DATABASE_URL). */
describe('key API', () => {
  const env = testKey('env-client', 'rpm=5');
  const envAdmin = testKey('ops', 'admin');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ADMIN_TOKEN: TOKEN, API_KEYS: `${env.entry},${envAdmin.entry}` });
  });
  afterAll(() => t.close());

  const admin = () => bearer(TOKEN);
  const ask = (key: string) =>
    request(t.server).post('/query').set(bearer(key)).send({ prompt: 'hi' });
  const create = (body: object, headers = admin()) =>
    request(t.server).post('/admin/keys').set(headers).send(body);

  it('refuses no credential and a wrong one (401), a client key (403)', async () => {
    for (const headers of [{}, bearer('aik_wrong'), bearer(TOKEN.slice(0, -1))]) {
      const res = await request(t.server).get('/admin/keys').set(headers);
      expectProblem(res, 401, /admin credential is required/);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="ai-agent-service"');
    }
    const res = await request(t.server).get('/admin/audit').set(bearer(env.key));
    expectProblem(res, 403, 'This key may call the API but not manage keys');
  });

  it('creates a key whose secret works at once, is shown once and stored as a digest only', async () => {
    const res = await create({
      id: 'acme-prod',
      client_id: 'acme',
      name: 'Acme production',
      requests_per_minute: 60,
      tokens_per_day: 100_000,
      tokens_per_month: 2_000_000,
    }).expect(201);
    const secret = res.body.key as string;
    expect(secret).toMatch(/^aik_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({
      id: 'acme-prod',
      client_id: 'acme',
      source: 'api',
      read_only: false,
      requests_per_minute: 60,
      tokens_per_minute: null,
      tokens_per_day: 100_000,
      tokens_per_month: 2_000_000,
      revoked_at: null,
    });
    expect((await ask(secret).expect(200)).body.client_id).toBe('acme');

    const shown = await request(t.server).get('/admin/keys/acme-prod').set(admin()).expect(200);
    const listed = await request(t.server).get('/admin/keys').set(admin()).expect(200);
    const audit = await request(t.server).get('/admin/audit').set(admin()).expect(200);
    for (const body of [shown.body, listed.body, audit.body]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sha(secret));
      expect(text).not.toContain(sha(secret).slice(0, 8));
    }
    expect(shown.body.key).toBeUndefined();
  });

  it('lists configured keys as read-only, by id, a page at a time', async () => {
    await create({ id: 'zeta' }).expect(201);
    const first = await request(t.server).get('/admin/keys?limit=2').set(admin()).expect(200);
    expect(first.body.items).toHaveLength(2);
    const rest = await request(t.server)
      .get(`/admin/keys?limit=100&cursor=${first.body.next_cursor}`)
      .set(admin())
      .expect(200);
    const all = [...first.body.items, ...rest.body.items] as Record<string, unknown>[];
    expect(all.map((k) => k.id)).toEqual([...all.map((k) => k.id)].sort());
    expect(new Set(all.map((k) => k.id)).size).toBe(all.length);
    const configured = all.filter((k) => k.source !== 'api');
    expect(configured).toHaveLength(2);
    expect(configured).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: `environment:${sha(env.key).slice(0, 8)}`,
          source: 'environment',
          client_id: 'env-client',
          read_only: true,
          requests_per_minute: 5,
        }),
        expect.objectContaining({ client_id: 'ops', admin: true, read_only: true }),
      ]),
    );
    for (const key of configured) {
      for (const call of [
        request(t.server)
          .patch(`/admin/keys/${key.id as string}`)
          .send({ name: 'x' }),
        request(t.server).delete(`/admin/keys/${key.id as string}`),
        request(t.server).post(`/admin/keys/${key.id as string}/rotate`),
      ]) {
        expectProblem(await call.set(admin()), 409, /is read-only: change it there/);
      }
    }
    expect((await ask(env.key).expect(200)).body.client_id).toBe('env-client');
  });

  it('updates limits and budgets, keeping the fields not sent; null clears one', async () => {
    await create({ id: 'upd', requests_per_minute: 10, tokens_per_day: 500 }).expect(201);
    const res = await request(t.server)
      .patch('/admin/keys/upd')
      .set(admin())
      .send({ tokens_per_minute: 900, tokens_per_day: null })
      .expect(200);
    expect(res.body).toMatchObject({
      requests_per_minute: 10,
      tokens_per_minute: 900,
      tokens_per_day: null,
    });
    const audit = await request(t.server).get('/admin/audit?key_id=upd').set(admin()).expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'update',
      actor: 'admin-token',
      key_id: 'upd',
      changes: { tokens_per_minute: 900, tokens_per_day: null },
      remote_address: expect.any(String),
      request_id: res.headers['x-request-id'],
    });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
  });

  it('revokes by DELETE or POST .../revoke: the key is refused at once, and cannot change', async () => {
    for (const [id, revoke] of [
      ['gone-1', (id: string) => request(t.server).delete(`/admin/keys/${id}`)],
      ['gone-2', (id: string) => request(t.server).post(`/admin/keys/${id}/revoke`)],
    ] as const) {
      const secret = (await create({ id }).expect(201)).body.key as string;
      await ask(secret).expect(200);
      const res = await revoke(id).set(admin()).expect(200);
      expect(res.body.revoked_at).toEqual(expect.any(String));
      await ask(secret).expect(401);
      expectProblem(
        await request(t.server).patch(`/admin/keys/${id}`).set(admin()).send({ name: 'x' }),
        409,
        `API key ${id} is revoked and cannot change`,
      );
    }
  });

  it('rotates: the new secret works, the old one until its grace ends (or at once with 0)', async () => {
    const old = (await create({ id: 'rot' }).expect(201)).body.key as string;
    const res = await request(t.server)
      .post('/admin/keys/rot/rotate?grace_seconds=1')
      .set(admin())
      .expect(200);
    const fresh = res.body.key as string;
    expect(fresh).not.toBe(old);
    expect(Date.parse(res.body.previous_key_expires_at as string)).toBeGreaterThan(Date.now());
    await ask(fresh).expect(200);
    await ask(old).expect(200);
    await new Promise((r) => setTimeout(r, 1_100));
    await ask(old).expect(401);

    const now = (
      await request(t.server)
        .post('/admin/keys/rot/rotate?grace_seconds=0')
        .set(admin())
        .expect(200)
    ).body.key as string;
    await ask(fresh).expect(401);
    await ask(now).expect(200);
  });

  it('lets an admin key manage keys, recorded under its client id', async () => {
    await create({ id: 'by-ops' }, bearer(envAdmin.key)).expect(201);
    const audit = await request(t.server)
      .get('/admin/audit?key_id=by-ops')
      .set(admin())
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({ actor: 'client:ops', action: 'create' });
    // A managed admin key may manage keys too.
    const secret = (await create({ id: 'ops-2', admin: true }).expect(201)).body.key as string;
    await request(t.server).get('/admin/keys/by-ops').set(bearer(secret)).expect(200);
  });

  it('answers 409 for a duplicate id, 404 for an unknown key', async () => {
    await create({ id: 'dup' }).expect(201);
    expectProblem(await create({ id: 'dup' }), 409, 'An API key with id dup already exists');
    expectProblem(
      await request(t.server).get('/admin/keys/nope').set(admin()),
      404,
      'No API key with id nope',
    );
    expectProblem(
      await request(t.server).post('/admin/keys/nope/rotate').set(admin()),
      404,
      'No API key with id nope',
    );
  });

  it.each([
    [{ id: 'bad id' }, 'id must be 1-64 characters'],
    [{ client_id: '-x' }, 'client_id must be 1-64 characters'],
    [{ requests_per_minute: -1 }, 'requests_per_minute must be an integer from 0 to 1000000'],
    [{ tokens_per_minute: 1.5 }, 'tokens_per_minute must be an integer from 0 to 1000000000'],
    [{ tokens_per_day: '10' }, 'tokens_per_day must be an integer'],
    [{ name: '' }, 'name must be 1 to 200 characters'],
    [{ admin: 'yes' }, 'admin must be a boolean'],
    [{ key: 'aik_chosen' }, 'property key should not exist'],
  ])('refuses the body %j with a 400 naming the field', async (body, detail) => {
    const res = await create(body);
    expectProblem(res, 400, new RegExp(detail));
  });

  it('refuses bad ids, pages, grace periods and empty updates with 400', async () => {
    const calls = [
      request(t.server).get('/admin/keys/bad%20id'),
      request(t.server).get('/admin/keys?limit=0'),
      request(t.server).get('/admin/keys?cursor=%2F'),
      request(t.server).get('/admin/audit?cursor=abc'),
      request(t.server).get('/admin/audit?key_id=bad%20id'),
      request(t.server).post('/admin/keys/dup/rotate?grace_seconds=-1'),
      request(t.server).patch('/admin/keys/dup').send({}),
    ];
    for (const call of calls) expect((await call.set(admin())).status).toBe(400);
  });
});

describe('key API switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ API_KEYS: testKey('acme').entry });
  });
  afterAll(() => t.close());

  it('answers 404 without ADMIN_TOKEN or an admin key, whatever the credential', async () => {
    for (const path of ['/admin/keys', '/admin/audit', '/admin/keys/x']) {
      const res = await request(t.server).get(path).set(bearer('anything'));
      expectProblem(res, 404, `Cannot GET ${path}`);
    }
  });
});
