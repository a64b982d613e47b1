import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadSchema } from '../../src/database-schema.js';
import { loadEnvironment } from '@app/platform';
import { databaseConfig, postgresOptions, type DatabaseConfig } from '@app/platform/database';
import { TestDatabase } from '../support/servers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait.js';

interface Row {
  id: string;
  prompt: string | null;
  response: string | null;
  prompt_sha256: string;
  cache_status: string;
  tokens_used: number;
  request_id: string | null;
}

/** Query history in a real PostgreSQL: written, read back, paginated, kept across restarts. */
describe('query history in PostgreSQL', () => {
  let db: TestDatabase;
  let t: TestApp | undefined;
  const boot = async (vars: Record<string, string> = {}) => {
    t = await createTestApp({ DATABASE_URL: db.url, DATABASE_MIGRATE_ON_START: 'true', ...vars });
    await waitFor(
      'database ready',
      async () => (await request(t!.server).get('/ready')).status === 200,
    );
    return t;
  };
  const rows = () => db.query<Row>('SELECT * FROM query_history ORDER BY created_at');

  beforeAll(async () => {
    db = await TestDatabase.create();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(() => db.drop());

  it('records every query and serves it back by id, including after a restart', async () => {
    const app = await boot();
    const res = await request(app.server)
      .post('/query')
      .set('X-Request-Id', 'history-req-1')
      .send({ prompt: 'remember me', max_tokens: 42 })
      .expect(200);
    const id = res.body.id as string;

    const fetched = await request(app.server).get(`/queries/${id}`).expect(200);
    expect(fetched.body).toMatchObject({
      id,
      prompt: 'remember me',
      response: 'Processed: remember me',
      max_tokens: 42,
      tokens_used: res.body.tokens_used,
      request_id: 'history-req-1',
      cache_status: 'MISS',
      provider: 'builtin',
      model: 'builtin-echo',
    });
    await waitFor('row written', async () => (await rows()).some((r) => r.id === id));
    await app.close();
    t = undefined;

    const restarted = await boot();
    const again = await request(restarted.server).get(`/queries/${id}`).expect(200);
    expect(again.body.prompt).toBe('remember me');
    expect(again.body.created_at).toBe(fetched.body.created_at);
    expect(Object.keys(again.body).filter((key) => /[A-Z]/.test(key))).toEqual([]);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const app = await boot();
    const missing = await request(app.server)
      .get('/queries/00000000-0000-4000-8000-000000000000')
      .expect(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    const bad = await request(app.server).get('/queries/not-a-uuid').expect(400);
    expect(bad.body.detail).toBe('id must be a UUID');
  });

  it('lists newest first with a limit and a cursor', async () => {
    const app = await boot();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(app.server)
        .post('/query')
        .send({ prompt: `page item ${i}` })
        .expect(200);
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await request(app.server)
        .get('/queries')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      expect(page.body).not.toHaveProperty('nextCursor');
      cursor = page.body.next_cursor;
    } while (cursor);
    // Earlier tests' records come after these five, oldest last.
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);

    await request(app.server).get('/queries').query({ limit: 0 }).expect(400);
    await request(app.server).get('/queries').query({ limit: 101 }).expect(400);
    await request(app.server).get('/queries').query({ cursor: 'garbage' }).expect(400);
    await request(app.server).get('/queries').query({ unknown: 1 }).expect(400);
  });

  it('stays unready on an unmigrated schema until the migrations are run, without a restart', async () => {
    const fresh = await TestDatabase.create();
    try {
      t = await createTestApp({ DATABASE_URL: fresh.url });
      const app = t;
      await waitFor('database reported', async () => {
        const res = await request(app.server).get('/ready');
        return res.status === 503 && res.body.checks.database === 'down';
      });
      // Queries are still answered; their records wait in the buffer.
      const early = await request(app.server)
        .post('/query')
        .send({ prompt: 'before migrating' })
        .expect(200);
      const ds = new DataSource(
        postgresOptions(
          databaseConfig(loadEnvironment({ DATABASE_URL: fresh.url })) as DatabaseConfig,
          await loadSchema(),
        ),
      );
      await ds.initialize();
      await ds.runMigrations();
      await ds.destroy();
      await waitFor(
        'ready after migrating',
        async () => (await request(app.server).get('/ready')).status === 200,
        10_000,
      );
      await waitFor('buffered record written', async () =>
        (await fresh.query('SELECT id FROM query_history')).some((r) => r.id === early.body.id),
      );
      await app.close();
      t = undefined;
    } finally {
      await fresh.drop();
    }
  });

  it('keeps prompts and responses out of the history when HISTORY_STORE_TEXT=false', async () => {
    const app = await boot({ HISTORY_STORE_TEXT: 'false' });
    const res = await request(app.server)
      .post('/query')
      .send({ prompt: 'private words' })
      .expect(200);
    expect(res.body.response).toBe('Processed: private words'); // the caller still gets the answer
    await waitFor('row written', async () => (await rows()).some((r) => r.id === res.body.id));
    const row = (await rows()).find((r) => r.id === res.body.id)!;
    expect(row.prompt).toBeNull();
    expect(row.response).toBeNull();
    expect(row.prompt_sha256).toMatch(/^[0-9a-f]{64}$/);
    const record = await request(app.server).get(`/queries/${res.body.id}`).expect(200);
    expect(record.body).toMatchObject({ prompt: null, response: null, prompt_chars: 13 });
  });
});
