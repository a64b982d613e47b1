import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, testKey } from '../support/api-keys.js';
import { MAIN, ServiceProcess } from '../support/service-process.js';
import { waitFor } from '../support/wait.js';

/** Keys as operators handle them: start-up rules, the key command, reloading a mounted file. */
describe('API keys in the service process', () => {
  let service: ServiceProcess | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-keys-'));
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start with AUTH_REQUIRED=true and no keys (exit 1)', async () => {
    service = await ServiceProcess.start({ AUTH_REQUIRED: 'true' });
    expect(await service.exited).toBe(1);
    expect(service.stderr.join('\n')).toContain(
      'AUTH_REQUIRED=true needs API_KEYS, API_KEYS_FILE or ADMIN_TOKEN',
    );
  });

  it('refuses to start on an unreadable or invalid key file, naming the line only', async () => {
    const file = join(dir, 'keys');
    writeFileSync(file, `# ok\nacme:${'a'.repeat(63)}\n`);
    service = await ServiceProcess.start({ API_KEYS_FILE: file });
    expect(await service.exited).toBe(1);
    expect(service.stderr.join('\n')).toMatch(
      /Start-up failed: Invalid API keys: API_KEYS_FILE line 2/,
    );
    expect(service.stderr.join('\n')).not.toContain('a'.repeat(63));
  });

  it('warns once at start when it runs without keys', async () => {
    service = await ServiceProcess.start({});
    await service.waitUntilLive();
    await service.logsSettled();
    const warnings = service
      .logs()
      .filter((l) => String(l.msg).startsWith('no API keys configured'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe(40);
  });

  it('generates keys with `main.js apikey new`, and the printed entry admits the printed key', async () => {
    const run = spawnSync(process.execPath, [MAIN, 'apikey', 'new', 'acme', '--json'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(run.status).toBe(0);
    const { key, entry } = JSON.parse(run.stdout) as { key: string; entry: string };
    const usage = spawnSync(process.execPath, [MAIN, 'apikey'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Usage: apikey new <client-id>');

    service = await ServiceProcess.start({ API_KEYS: entry });
    await service.waitUntilLive();
    expect((await service.query({ prompt: 'hi' }, bearer(key))).status).toBe(200);
    expect((await service.query({ prompt: 'hi' })).status).toBe(401);
    await service.waitForLog('"status":401');
    expect(service.stdout.join('\n')).not.toContain(key);
    // The request line names the caller by client id, never by key.
    const answered = service.logs().find((l) => l.msg === 'request completed');
    expect(answered).toMatchObject({ clientId: 'acme', route: '/query' });
  });

  it('reloads API_KEYS_FILE on SIGHUP and on change, without a restart', async () => {
    const oldKey = testKey('acme');
    const newKey = testKey('acme');
    const file = join(dir, 'keys');
    writeFileSync(file, `${oldKey.entry}\n`);
    service = await ServiceProcess.start({ API_KEYS_FILE: file });
    await service.waitUntilLive();
    const status = async (key: string) =>
      (await service!.query({ prompt: 'k' }, bearer(key))).status;
    expect(await status(oldKey.key)).toBe(200);
    expect(await status(newKey.key)).toBe(401);

    // Rotation: both keys for a while, then only the new one.
    writeFileSync(file, `${oldKey.entry}\n${newKey.entry}\n`);
    service.proc.kill('SIGHUP');
    await waitFor('new key accepted', async () => (await status(newKey.key)) === 200, 5_000);
    expect(await status(oldKey.key)).toBe(200);

    writeFileSync(file, `${newKey.entry}\n`);
    await waitFor('old key refused', async () => (await status(oldKey.key)) === 401, 5_000);
    expect(await status(newKey.key)).toBe(200);

    // A broken file changes nothing and is reported once.
    writeFileSync(file, 'not an entry\n');
    service.proc.kill('SIGHUP');
    await service.waitForLog('API keys not reloaded');
    expect(await status(newKey.key)).toBe(200);
    expect(service.proc.exitCode).toBeNull();
    const reloads = service.logs().filter((l) => l.msg === 'API keys reloaded');
    expect(reloads.length).toBeGreaterThanOrEqual(2);
    expect(service.stdout.join('\n')).not.toContain(newKey.key);
  });

  it('serves every request while the key file is rewritten in place, truncated first', async () => {
    const file = join(dir, 'keys');
    const acme = testKey('acme');
    const beta = testKey('beta');
    const content = `${acme.entry}\n${beta.entry}\n`;
    writeFileSync(file, content);
    service = await ServiceProcess.start({ API_KEYS_FILE: file, LOG_LEVEL: 'info' });
    await service.waitUntilLive();
    const statuses: number[] = [];
    let loading = true;
    const load = (async () => {
      for (let i = 0; loading && i < 2_000; i++) {
        const res = await service.query({ prompt: `p${i}` }, bearer(i % 2 ? acme.key : beta.key));
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    })();
    // What `cat new > keys` does: truncate, then write; a reload lands in between each time.
    for (let round = 0; round < 5; round++) {
      writeFileSync(file, '');
      service.proc.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 60));
      writeFileSync(file, content.slice(0, 30));
      await new Promise((r) => setTimeout(r, 60));
      writeFileSync(file, content);
      await new Promise((r) => setTimeout(r, 400));
    }
    loading = false;
    await load;
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('logs the request id the response carries, also when it replaced an unsafe one', async () => {
    const acme = testKey('acme');
    service = await ServiceProcess.start({ API_KEYS: acme.entry, LOG_LEVEL: 'info' });
    await service.waitUntilLive();
    const res = await service.query(
      { prompt: 'hello' },
      { ...bearer(acme.key), 'x-request-id': 'not safe <script>' },
    );
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor('the request log line', () =>
      service!.logs().some((l) => l.msg === 'request completed' && l.req !== undefined),
    );
    const lines = service
      .logs()
      .filter((l) => 'requestId' in l && l.requestId !== 'openapi-contract-check');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map((l) => l.requestId)).toEqual(lines.map(() => id));
    expect(service.stdout.join('\n')).not.toContain('not safe');
  });
});
