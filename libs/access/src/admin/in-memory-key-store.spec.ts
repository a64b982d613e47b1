import { describe, expect, it } from '@jest/globals';
import { InMemoryKeyStore } from './in-memory-key-store.js';
import { DuplicateKeyError, KeyStoreFullError, type ManagedKey } from './managed-key.js';

const source = { actor: 'admin-token', remoteAddress: '127.0.0.1', requestId: null };
const draft = (action: 'create' | 'update' | 'revoke', keyId: string) => ({
  ...source,
  action,
  keyId,
  changes: {},
});
const key = (id: string, digest = id.padEnd(64, '0')): ManagedKey => ({
  id,
  clientId: id,
  name: 'n',
  admin: false,
  limits: { requestsPerMinute: 5, tokensPerMinute: null, tokensPerDay: 9, tokensPerMonth: null },
  digest,
  previousDigest: null,
  previousNotAfter: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  revokedAt: null,
});

describe('InMemoryKeyStore', () => {
  it('refuses a duplicate id or digest, and keys beyond its bound', async () => {
    const store = new InMemoryKeyStore(2, 10);
    await store.insert(key('a'), draft('create', 'a'));
    await expect(store.insert(key('a', 'f'.repeat(64)), draft('create', 'a'))).rejects.toThrow(
      DuplicateKeyError,
    );
    await expect(store.insert(key('b', key('a').digest), draft('create', 'b'))).rejects.toThrow(
      DuplicateKeyError,
    );
    await store.insert(key('b'), draft('create', 'b'));
    await expect(store.insert(key('c'), draft('create', 'c'))).rejects.toThrow(KeyStoreFullError);
  });

  it('patches only the fields sent, never a revoked key, and moves its change marker', async () => {
    const store = new InMemoryKeyStore();
    await store.insert(key('a'), draft('create', 'a'));
    const before = await store.marker();
    const done = await store.update(
      'a',
      { name: undefined, limits: { tokensPerDay: null, tokensPerMinute: 7 } },
      draft('update', 'a'),
    );
    expect(done?.key).toMatchObject({
      name: 'n',
      limits: { requestsPerMinute: 5, tokensPerMinute: 7, tokensPerDay: null },
    });
    expect(await store.marker()).not.toBe(before);
    await store.update('a', { revokedAt: new Date() }, draft('revoke', 'a'));
    expect(await store.update('a', { name: 'x' }, draft('update', 'a'))).toBeUndefined();
    expect(await store.update('zz', { name: 'x' }, draft('update', 'zz'))).toBeUndefined();
    expect(await store.active()).toEqual([]);
  });

  it('lists keys by id after a cursor, and the audit newest first, bounded', async () => {
    const store = new InMemoryKeyStore(10, 3);
    for (const id of ['c', 'a', 'b', 'd']) await store.insert(key(id), draft('create', id));
    expect((await store.list(2)).map((k) => k.id)).toEqual(['a', 'b']);
    expect((await store.list(5, 'b')).map((k) => k.id)).toEqual(['c', 'd']);
    const audit = await store.audit(10);
    expect(audit.map((e) => e.keyId)).toEqual(['d', 'b', 'a']); // the oldest dropped
    expect((await store.audit(10, audit[0].id)).map((e) => e.keyId)).toEqual(['b', 'a']);
    expect((await store.audit(10, undefined, 'b')).map((e) => e.keyId)).toEqual(['b']);
  });
});
