import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import request from 'supertest';
import { runApiKeyCommand } from '@app/access';
import { bearer } from '../support/api-keys.js';
import { MAIN } from '../support/service-process.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'admin-token-for-the-cli-suite-0123456789ab';

/** `apikey create|list|show|update|revoke|rotate|audit --url` against a running service. */
describe('apikey command against the key API', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp({ ADMIN_TOKEN: TOKEN });
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.server.address() as { port: number }).port}`;
  });
  afterAll(() => t.close());

  const run = async (env: Record<string, string>, ...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const code = await runApiKeyCommand([...args, '--url', url], io, env);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const admin = (...args: string[]) => run({ ADMIN_TOKEN: TOKEN }, ...args);
  const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

  it('creates, shows, lists, updates, rotates and revokes a key, and reads the audit', async () => {
    const created = await admin(
      'create',
      '--id',
      'cli-1',
      '--client-id',
      'acme',
      '--rpm',
      '30',
      '--tokens-per-day',
      '900',
    );
    expect(created.code).toBe(0);
    const secret = json(created.out).key as string;
    expect(json(created.out)).toMatchObject({
      id: 'cli-1',
      client_id: 'acme',
      requests_per_minute: 30,
      tokens_per_day: 900,
    });
    await request(t.server).post('/query').set(bearer(secret)).send({ prompt: 'hi' }).expect(200);

    expect(json((await admin('show', 'cli-1')).out).key).toBeUndefined();
    const listed = await admin('list', '--limit', '10');
    expect((json(listed.out).items as { id: string }[]).map((k) => k.id)).toEqual(['cli-1']);
    expect(listed.out).not.toContain(secret);

    const updated = await admin('update', 'cli-1', '--rpm', 'null', '--tpm', '500');
    expect(json(updated.out)).toMatchObject({
      requests_per_minute: null,
      tokens_per_minute: 500,
      tokens_per_day: 900,
    });

    const rotated = await admin('rotate', 'cli-1', '--grace', '0');
    const fresh = json(rotated.out).key as string;
    await request(t.server).post('/query').set(bearer(secret)).send({ prompt: 'hi' }).expect(401);
    await request(t.server).post('/query').set(bearer(fresh)).send({ prompt: 'hi' }).expect(200);

    expect((await admin('revoke', 'cli-1')).code).toBe(0);
    await request(t.server).post('/query').set(bearer(fresh)).send({ prompt: 'hi' }).expect(401);

    const audit = await admin('audit', '--key', 'cli-1');
    expect((json(audit.out).items as { action: string }[]).map((e) => e.action)).toEqual([
      'revoke',
      'rotate',
      'update',
      'create',
    ]);
    expect(audit.out).not.toContain(secret);
    expect(audit.out).not.toContain(fresh);
  });

  it('prints the refusal and exits 1; without ADMIN_TOKEN it exits 2 before calling', async () => {
    expect(await run({ ADMIN_TOKEN: 'wrong-token-wrong-token-wrong-token' }, 'list')).toMatchObject(
      {
        code: 1,
        err: expect.stringMatching(/^401 An admin credential is required/),
      },
    );
    expect(await admin('show', 'missing')).toMatchObject({
      code: 1,
      err: '404 No API key with id missing',
    });
    expect(await run({}, 'list')).toMatchObject({
      code: 2,
      err: expect.stringContaining('ADMIN_TOKEN must be set'),
    });
  });

  it('works from the built entry point, with the token from the environment only', async () => {
    const child = spawn(process.execPath, [MAIN, 'apikey', 'list', '--url', url], {
      env: { PATH: process.env.PATH ?? '', ADMIN_TOKEN: TOKEN },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(json(out)).toHaveProperty('items');
  });
});
