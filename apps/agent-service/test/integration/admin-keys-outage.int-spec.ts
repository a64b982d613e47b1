import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer } from '../support/api-keys.js';
import { TestDatabase } from '../support/servers.js';
import { ServiceProcess } from '../support/service-process.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const TOKEN = 'admin-token-for-the-outage-suite-0123456789';

/** PostgreSQL goes away under a service with managed keys: the keys hold, the key API says 503. */
describe('managed keys while PostgreSQL is unreachable', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let service: ServiceProcess;
  const admin = (path: string, method = 'GET', body?: object) =>
    fetch(`${service.url}${path}`, {
      method,
      headers: { ...bearer(TOKEN), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body && JSON.stringify(body),
    });
  const status = async (key: string) => (await service.query({ prompt: 'hi' }, bearer(key))).status;

  beforeAll(async () => {
    db = await TestDatabase.create();
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(db.url).port || 5432));
    service = await ServiceProcess.start({
      DATABASE_URL: proxy.rewrite(db.url),
      DATABASE_MIGRATE_ON_START: 'true',
      DATABASE_QUERY_TIMEOUT_MS: '1000',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    });
    await service.waitUntilLive(30_000);
    await waitFor(
      'database up',
      async () =>
        ((await (await fetch(`${service.url}/ready`)).json()) as { checks: { database: string } })
          .checks.database === 'up',
      30_000,
    );
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await proxy?.cut();
    await db?.drop();
  });

  it('keeps the keys last read, answers 503 on the key API, and catches up once it is back', async () => {
    const created = await admin('/admin/keys', 'POST', { id: 'kept' });
    const secret = ((await created.json()) as { key: string }).key;
    expect(await status(secret)).toBe(200);

    await proxy.cut();
    const refused = await admin('/admin/keys/kept');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { detail: string }).detail).toBe(
      'The key store is temporarily unavailable',
    );
    expect(await status(secret)).toBe(200);
    await waitFor('one warning', () =>
      service.logs().some((l) => String(l.msg).startsWith('managed API keys not refreshed')),
    );

    // Revoked behind this replica's back: applied once PostgreSQL answers again.
    await db.query(
      "UPDATE api_keys SET revoked_at = now(), version = nextval('api_keys_version_seq')",
    );
    await proxy.restore();
    await waitFor('revocation applied', async () => (await status(secret)) === 401, 20_000);
    const warnings = service
      .logs()
      .filter((l) => String(l.msg).startsWith('managed API keys not refreshed'));
    expect(warnings).toHaveLength(1);
  });
});
