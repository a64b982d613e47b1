import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestDatabase } from '../support/servers.js';
import { ServiceProcess } from '../support/service-process.js';
import { waitFor } from '../support/wait.js';

const ID = '3f1c0b5e-9a6d-4c1e-8f0a-2b7d9e4c6a10';
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/**
 * Crafted history cursors against the built service and a real PostgreSQL: each is a 400 that
 * quotes nothing, none reaches the database as a value it refuses, none is logged, and none
 * changes what the service reports about the database.
 */
describe('hostile cursors on GET /queries', () => {
  let db: TestDatabase;
  let service: ServiceProcess;
  const get = (path: string) => fetch(`${service.url}${path}`);
  const databaseUp = async () =>
    /^dependency_up\{dependency="database"\} 1$/m.test(await (await get('/metrics')).text());

  beforeAll(async () => {
    db = await TestDatabase.create();
    service = await ServiceProcess.start({
      DATABASE_URL: db.url,
      DATABASE_MIGRATE_ON_START: 'true',
      LOG_LEVEL: 'trace',
    });
    await service.waitUntilLive();
    await waitFor('database ready', async () => (await get('/ready')).status === 200);
    expect((await service.query({ prompt: 'one record' })).status).toBe(200);
    await waitFor('database reported up', databaseUp);
  });
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  const crafted: [string, string][] = [
    ['year -100000', b64(`-100000-01-01T00:00:00.000Z|${ID}`)],
    ['year +275760', b64(`+275760-09-13T00:00:00.000Z|${ID}`)],
    ['year 0', b64(`0000-01-01T00:00:00.000Z|${ID}`)],
    ['February 30th', b64(`2026-02-30T00:00:00.000Z|${ID}`)],
    ['an id that is not a UUID', b64(`2026-01-01T00:00:00.000Z|1' OR '1'='1`)],
    ['a NUL byte', b64(`2026-01-01T00:00:00.000Z|${ID}\u0000`)],
    ['not base64url', `canary+/=${'x'.repeat(20)}`],
  ];

  it.each(crafted)(
    'answers a cursor with %s with a 400 problem that does not quote it',
    async (_, cursor) => {
      const res = await get(`/queries?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ status: 400, detail: 'cursor is not valid' });
      expect(text).not.toContain(cursor);
    },
  );

  it('accepts well-formed cursors at both ends of the range against the real database', async () => {
    const oldest = await get(`/queries?cursor=${b64(`1970-01-01T00:00:00.000Z|${ID}`)}`);
    expect(oldest.status).toBe(200);
    expect(await oldest.json()).toEqual({ items: [] });
    const newest = await get(`/queries?cursor=${b64(`9999-12-31T23:59:59.999Z|${ID}`)}`);
    expect(newest.status).toBe(200);
    expect(((await newest.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('leaves the database up and ready, and logs none of the cursors', async () => {
    await sleep(200);
    expect(await databaseUp()).toBe(true);
    expect((await get('/ready')).status).toBe(200);
    const logs = [...service.stdout, ...service.stderr].join('\n');
    for (const [, cursor] of crafted) {
      expect(logs).not.toContain(cursor);
      expect(logs).not.toContain(Buffer.from(cursor, 'base64url').toString('utf8').slice(0, 12));
    }
    expect(logs).not.toMatch(/-100000|275760|1' OR/);
    expect(logs).not.toMatch(/dependency unavailable/);
  });
});
