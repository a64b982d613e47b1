import { describe, expect, it } from '@jest/globals';
import { API_KEY_ENTRY } from '../access.environment.js';
import { apiKeyDigest } from './api-key.js';
import { runApiKeyCommand } from './api-key.command.js';

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runApiKeyCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('apikey command', () => {
  it('prints a new key once with the entry holding its SHA-256', async () => {
    const { code, out } = await run('new', 'acme');
    expect(code).toBe(0);
    const key = /^API key \(shown once\): (aik_[A-Za-z0-9_-]{43})$/.exec(out[0])?.[1];
    expect(key).toBeDefined();
    expect(out[1]).toBe(
      `Entry for API_KEYS or API_KEYS_FILE: acme:${apiKeyDigest(key!).toString('hex')}`,
    );
  });

  it('adds limit overrides and prints JSON on request; keys differ every time', async () => {
    const a = JSON.parse(
      (await run('new', 'acme', '--rpm', '60', '--tpm', '5000', '--tpd', '9000', '--json')).out[0],
    );
    const b = JSON.parse((await run('new', 'acme', '--json')).out[0]);
    expect(a.entry).toMatch(/^acme:[0-9a-f]{64}:rpm=60;tpm=5000;tpd=9000$/);
    expect(API_KEY_ENTRY.test(a.entry)).toBe(true);
    expect(a.client_id).toBe('acme');
    expect(a.key).not.toBe(b.key);
  });

  it.each([
    [[]],
    [['new']],
    [['new', 'bad id']],
    [['new', 'acme', '--rpm']],
    [['rotate', 'acme']],
    [['list']],
    [['show', '--url', 'http://x']],
    [['list', '--url', 'ftp://x']],
    [['create', '--rpm', 'ten', '--url', 'http://x']],
    [['list', '--grace', '1', '--url', 'http://x']],
    [['revoke', 'k', '--name', 'n', '--url', 'http://x']],
  ])('refuses %j with usage and exit code 2', async (args) => {
    const { code, out, err } = await run(...args);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/Usage: apikey|client-id must be/);
  });
});
