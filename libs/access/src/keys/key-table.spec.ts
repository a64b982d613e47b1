import { describe, expect, it } from '@jest/globals';
import { apiKeyDigest, keyEntry } from './api-key.js';
import { KeyTable } from './key-table.js';

const lines = (...texts: string[]) => texts.map((text, i) => ({ text, source: `line ${i + 1}` }));
const hash = (key: string) => apiKeyDigest(key).toString('hex');

describe('KeyTable', () => {
  it('finds the client of a key by its digest, with its limit overrides', () => {
    const { table, problems } = KeyTable.parse(
      lines(keyEntry('acme', 'k1'), `beta:${hash('k2').toUpperCase()}:rpm=5;tpm=900`),
    );
    expect(problems).toEqual([]);
    expect(table.lookup(apiKeyDigest('k1'))).toEqual({ id: 'acme' });
    expect(table.lookup(apiKeyDigest('k2'))).toEqual({
      id: 'beta',
      requestsPerMinute: 5,
      tokensPerMinute: 900,
    });
    expect(table.lookup(apiKeyDigest('k3'))).toBeUndefined();
    expect([...table.clients.keys()]).toEqual(['acme', 'beta']);
  });

  it('reads the token budgets per day and month beside the per-minute limits', () => {
    const { table, problems } = KeyTable.parse(
      lines(
        `acme:${hash('k1')}:tpd=5000;rpm=6;tpmo=90000`,
        `acme:${hash('k2')}:rpm=6;tpd=5000;tpmo=90000`,
      ),
    );
    expect(problems).toEqual([]);
    expect(table.lookup(apiKeyDigest('k2'))).toEqual({
      id: 'acme',
      requestsPerMinute: 6,
      tokensPerDay: 5000,
      tokensPerMonth: 90000,
    });
    const conflict = KeyTable.parse(lines(`acme:${hash('k1')}:tpd=5`, `acme:${hash('k2')}:tpd=6`));
    expect(conflict.problems).toEqual([
      'line 2: client "acme" is listed with different limits elsewhere',
    ]);
    expect(KeyTable.parse(lines(`acme:${hash('k1')}:tpy=5`)).problems).toHaveLength(1);
  });

  it('accepts several keys per client, for rotation', () => {
    const { table } = KeyTable.parse(lines(keyEntry('acme', 'old'), keyEntry('acme', 'new')));
    expect(table.keyCount).toBe(2);
    expect(table.clients.size).toBe(1);
    expect(table.lookup(apiKeyDigest('old'))?.id).toBe('acme');
    expect(table.lookup(apiKeyDigest('new'))?.id).toBe('acme');
  });

  it('reports malformed entries, shared keys and conflicting limits by line, never by content', () => {
    const { problems } = KeyTable.parse(
      lines(
        'acme:not-a-hash',
        keyEntry('acme', 'k1'),
        keyEntry('beta', 'k1'),
        `acme:${hash('k2')}:rpm=3`,
        `gamma:${hash('k3')}:burst=3`,
        `:${hash('k4')}`,
      ),
    );
    expect(problems).toEqual([
      'line 1: not client-id:sha256-hex[:rpm=N;tpm=N;tpd=N;tpmo=N]',
      'line 3: this key hash already belongs to client "acme"',
      'line 4: client "acme" is listed with different limits elsewhere',
      'line 5: not client-id:sha256-hex[:rpm=N;tpm=N;tpd=N;tpmo=N]',
      'line 6: not client-id:sha256-hex[:rpm=N;tpm=N;tpd=N;tpmo=N]',
    ]);
    expect(problems.join()).not.toContain(hash('k1'));
  });

  it('reads the admin flag beside the limits, and a table knows whether it has an admin key', () => {
    const { table, problems } = KeyTable.parse(
      lines(`ops:${hash('k1')}:admin`, `acme:${hash('k2')}:rpm=5;admin;tpm=9`, keyEntry('b', 'k3')),
    );
    expect(problems).toEqual([]);
    expect(table.lookup(apiKeyDigest('k1'))).toEqual({ id: 'ops', admin: true });
    expect(table.lookup(apiKeyDigest('k2'))).toEqual({
      id: 'acme',
      admin: true,
      requestsPerMinute: 5,
      tokensPerMinute: 9,
    });
    expect(table.hasAdmin).toBe(true);
    expect(KeyTable.parse(lines(keyEntry('b', 'k3'))).table.hasAdmin).toBe(false);
  });

  it('builds a table of managed keys whose rotated-out secrets stop at their end', () => {
    const client = { id: 'acme', tokensPerDay: 1000 };
    const table = KeyTable.of([
      { digest: apiKeyDigest('new'), client },
      { digest: apiKeyDigest('old'), client, notAfter: 2_000 },
    ]);
    expect(table.keyCount).toBe(2);
    expect(table.lookup(apiKeyDigest('new'), 5_000)).toBe(client);
    expect(table.lookup(apiKeyDigest('old'), 1_999)).toBe(client);
    expect(table.lookup(apiKeyDigest('old'), 2_000)).toBeUndefined();
    expect(table.keys().map((k) => k.client.id)).toEqual(['acme', 'acme']);
  });
});
