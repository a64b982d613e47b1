import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import { MetricsRegistry } from '@app/platform';
import { AccessMetrics } from '../access.metrics.js';
import { apiKeyDigest } from '../keys/api-key.js';
import { KeyRegistry } from '../keys/key-registry.js';
import { InMemoryKeyStore } from './in-memory-key-store.js';
import { KeySync } from './key-sync.js';
import type { ManagedKey } from './managed-key.js';

const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const source = { actor: 'admin-token', remoteAddress: '::1', requestId: null };
const managed = (id: string, secret: string): ManagedKey => ({
  id,
  clientId: `client-${id}`,
  name: null,
  admin: false,
  limits: { requestsPerMinute: 3, tokensPerMinute: null, tokensPerDay: 100, tokensPerMonth: null },
  digest: apiKeyDigest(secret).toString('hex'),
  previousDigest: null,
  previousNotAfter: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  revokedAt: null,
});

describe('KeySync', () => {
  let sync: KeySync | undefined;
  afterEach(async () => {
    await sync?.onApplicationShutdown();
  });
  const setUp = (store: InMemoryKeyStore) => {
    const registry = new KeyRegistry(
      { entries: [], managed: true },
      logger as unknown as PinoLogger,
      new AccessMetrics(new MetricsRegistry()),
    );
    registry.load();
    sync = new KeySync(store, registry, logger as unknown as PinoLogger, undefined, 20);
    return registry;
  };

  it('hands the registry the active keys with their limits, and a rotated secret in its grace', async () => {
    const store = new InMemoryKeyStore();
    const registry = setUp(store);
    const rotated = {
      ...managed('b', 'new'),
      previousDigest: apiKeyDigest('old').toString('hex'),
      previousNotAfter: new Date(Date.now() + 60_000),
    };
    await store.insert(managed('a', 's1'), {
      ...source,
      action: 'create',
      keyId: 'a',
      changes: {},
    });
    await store.insert(rotated, { ...source, action: 'create', keyId: 'b', changes: {} });
    await sync!.refresh();
    expect(registry.authenticate('s1')).toEqual({
      id: 'client-a',
      requestsPerMinute: 3,
      tokensPerDay: 100,
    });
    expect(registry.authenticate('new')?.id).toBe('client-b');
    expect(registry.authenticate('old')?.id).toBe('client-b');
  });

  it('picks up a change made elsewhere by polling the change marker', async () => {
    const store = new InMemoryKeyStore();
    const registry = setUp(store);
    sync!.onApplicationBootstrap();
    await store.insert(managed('a', 's1'), {
      ...source,
      action: 'create',
      keyId: 'a',
      changes: {},
    });
    await waitUntil(() => registry.authenticate('s1') !== undefined);
    await store.update(
      'a',
      { revokedAt: new Date() },
      { ...source, action: 'revoke', keyId: 'a', changes: {} },
    );
    await waitUntil(() => registry.authenticate('s1') === undefined);
  });

  it('keeps the keys last read while the store fails, and says so once', async () => {
    const store = new InMemoryKeyStore();
    const registry = setUp(store);
    await store.insert(managed('a', 's1'), {
      ...source,
      action: 'create',
      keyId: 'a',
      changes: {},
    });
    await sync!.refresh();
    jest.clearAllMocks();
    const failing = jest.spyOn(store, 'marker').mockRejectedValue(new Error('down'));
    await sync!.refresh();
    await sync!.refresh();
    expect(registry.authenticate('s1')?.id).toBe('client-a');
    expect(logger.warn).toHaveBeenCalledTimes(1);
    failing.mockRestore();
    await sync!.refresh();
    expect(logger.info).toHaveBeenCalledWith('managed API keys in step with the key store again');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
