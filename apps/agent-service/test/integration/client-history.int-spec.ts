import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, testKey } from '../support/api-keys.js';
import { TestDatabase } from '../support/servers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait.js';

/** Per-client history in a real PostgreSQL, read back from the table (not the write buffer). */
describe('per-client history in PostgreSQL', () => {
  const acme = testKey('acme');
  const beta = testKey('beta');
  let db: TestDatabase;
  let t: TestApp | undefined;
  const boot = async (vars: Record<string, string>) => {
    t = await createTestApp({ DATABASE_URL: db.url, DATABASE_MIGRATE_ON_START: 'true', ...vars });
    await waitFor(
      'database ready',
      async () => (await request(t!.server).get('/ready')).status === 200,
    );
    return t;
  };
  const written = (ids: string[]) =>
    waitFor('records written', async () => {
      const rows = await db.query('SELECT id FROM query_history WHERE id = ANY($1)', [ids]);
      return rows.length === ids.length;
    });

  beforeAll(async () => {
    db = await TestDatabase.create();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(() => db.drop());

  it('stores the client id and serves each client only its own records', async () => {
    let app = await boot({ API_KEYS: `${acme.entry},${beta.entry}` });
    const ask = (key: string, prompt: string) =>
      request(app.server).post('/query').set(bearer(key)).send({ prompt }).expect(200);
    const a1 = (await ask(acme.key, 'acme one')).body.id as string;
    const b1 = (await ask(beta.key, 'beta one')).body.id as string;
    const a2 = (await ask(acme.key, 'acme two')).body.id as string;
    await written([a1, b1, a2]);
    const rows = await db.query<{ id: string; client_id: string }>(
      'SELECT id, client_id FROM query_history ORDER BY created_at',
    );
    expect(rows).toEqual([
      { id: a1, client_id: 'acme' },
      { id: b1, client_id: 'beta' },
      { id: a2, client_id: 'acme' },
    ]);

    // A restart empties the write buffer: these reads come from the table.
    await t!.close();
    app = await boot({ API_KEYS: `${acme.entry},${beta.entry}` });
    const page1 = await request(app.server)
      .get('/queries?limit=1')
      .set(bearer(acme.key))
      .expect(200);
    expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual([a2]);
    const page2 = await request(app.server)
      .get(`/queries?limit=1&cursor=${page1.body.next_cursor}`)
      .set(bearer(acme.key))
      .expect(200);
    expect(page2.body.items.map((r: { id: string }) => r.id)).toEqual([a1]);
    await request(app.server).get(`/queries/${b1}`).set(bearer(acme.key)).expect(404);
    const own = await request(app.server).get(`/queries/${b1}`).set(bearer(beta.key)).expect(200);
    expect(own.body).toMatchObject({ client_id: 'beta', outcome: 'answered' });
  });

  it('hides records of no client from every client, and shows them all without keys', async () => {
    await db.query(
      `INSERT INTO query_history (id, created_at, provider, model, prompt_chars, response_chars,
         prompt_sha256, max_tokens, prompt_tokens, completion_tokens, tokens_used, latency_ms,
         cache_status)
       VALUES ('00000000-0000-4000-8000-0000000000aa', now(), 'builtin', 'm', 1, 1,
         repeat('a', 64), 10, 1, 1, 2, 1, 'MISS')`,
    );
    const orphan = '00000000-0000-4000-8000-0000000000aa';
    let app = await boot({ API_KEYS: acme.entry });
    await request(app.server).get(`/queries/${orphan}`).set(bearer(acme.key)).expect(404);
    const listed = await request(app.server).get('/queries?limit=100').set(bearer(acme.key));
    expect(listed.body.items.map((r: { id: string }) => r.id)).not.toContain(orphan);

    await t!.close();
    app = await boot({});
    const open = await request(app.server).get(`/queries/${orphan}`).expect(200);
    expect(open.body.client_id).toBeNull();
    const all = await request(app.server).get('/queries?limit=100').expect(200);
    expect(new Set(all.body.items.map((r: { client_id: string | null }) => r.client_id))).toEqual(
      new Set([null, 'acme', 'beta']),
    );
  });
});
