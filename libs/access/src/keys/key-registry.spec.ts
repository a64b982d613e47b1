import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PinoLogger } from 'nestjs-pino';
import { MetricsRegistry } from '@app/platform';
import { AccessMetrics } from '../access.metrics.js';
import { apiKeyDigest, keyEntry } from './api-key.js';
import { KeyRegistry } from './key-registry.js';
import { KeyTable } from './key-table.js';

describe('KeyRegistry', () => {
  let dir: string;
  let file: string;
  let registry: KeyRegistry | undefined;
  let registryMetrics: MetricsRegistry;
  const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const make = (entries: string[], withFile = true) => {
    registryMetrics = new MetricsRegistry();
    registry = new KeyRegistry(
      { entries, file: withFile ? file : undefined, settleMs: 20, emptySettleMs: 200 },
      logger as unknown as PinoLogger,
      new AccessMetrics(registryMetrics),
    );
    return registry;
  };
  const metric = (name: string) => registryMetrics.getSingleMetricAsString(name);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keys-'));
    file = join(dir, 'api-keys');
    jest.clearAllMocks();
  });
  afterEach(() => {
    registry?.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is disabled without sources and knows no key', () => {
    const keys = make([], false);
    keys.load();
    expect(keys.enabled).toBe(false);
    expect(keys.authenticate('anything')).toBeUndefined();
  });

  it('reads API_KEYS and the file, skipping comments and blank lines', () => {
    writeFileSync(file, `# clients\n\n${keyEntry('beta', 'kb')}\r\n`);
    const keys = make([keyEntry('acme', 'ka')]);
    keys.load();
    expect(keys.enabled).toBe(true);
    expect(keys.authenticate('ka')?.id).toBe('acme');
    expect(keys.authenticate('kb')?.id).toBe('beta');
    expect(keys.authenticate('kc')).toBeUndefined();
    expect(keys.authenticate('x'.repeat(257))).toBeUndefined();
    expect(keys.clientIds()).toEqual(['acme', 'beta']);
  });

  it('is enabled by an empty file: nobody gets in, rather than everybody', () => {
    writeFileSync(file, '# no clients yet\n');
    const keys = make([]);
    keys.load();
    expect(keys.enabled).toBe(true);
    expect(keys.clientIds()).toEqual([]);
  });

  it('fails loading on an invalid or missing file', () => {
    writeFileSync(file, 'acme:nothex\n');
    expect(() => make([]).load()).toThrow('API_KEYS_FILE line 1');
    rmSync(file);
    expect(() => make([]).load()).toThrow(/ENOENT/);
  });

  it('reloads a changed file; an invalid version keeps the previous keys and is logged once', async () => {
    writeFileSync(file, keyEntry('acme', 'k1'));
    const keys = make([]);
    keys.load();
    writeFileSync(file, `${keyEntry('acme', 'k2')}\n${keyEntry('beta', 'k3')}\n`);
    await keys.reload('test');
    expect(keys.authenticate('k1')).toBeUndefined();
    expect(keys.authenticate('k2')?.id).toBe('acme');
    expect(logger.info).toHaveBeenCalledWith(
      { reason: 'test', clients: 2, keys: 2 },
      'API keys reloaded',
    );

    writeFileSync(file, 'broken\n');
    await keys.reload('test');
    await keys.reload('test');
    expect(keys.authenticate('k2')?.id).toBe('acme');
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(await metric('access_api_key_reloads_total')).toContain('result="failed"} 1');
    expect(await metric('access_api_keys')).toMatch(/ 2$/);
  });

  it('reloads on SIGHUP and when the file changes on disk', async () => {
    writeFileSync(file, keyEntry('acme', 'k1'));
    const keys = make([]);
    keys.load();
    keys.watch();
    writeFileSync(file, keyEntry('acme', 'k2'));
    process.emit('SIGHUP', 'SIGHUP');
    await new Promise((r) => setTimeout(r, 100));
    expect(keys.authenticate('k2')?.id).toBe('acme');

    writeFileSync(file, keyEntry('acme', 'k3'));
    // The file is polled once a second; a loaded machine may delay a poll by seconds.
    const deadline = Date.now() + 20_000;
    while (!keys.authenticate('k3') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(keys.authenticate('k3')?.id).toBe('acme');
    expect(keys.authenticate('k2')).toBeUndefined();
  });

  it('keeps the keys in force while a rewritten file is empty or half written', async () => {
    const full = `${keyEntry('acme', 'k1')}\n${keyEntry('beta', 'k2')}\n`;
    writeFileSync(file, full);
    const keys = make([]);
    keys.load();
    // A truncate-then-write, caught between the two by a reload.
    writeFileSync(file, '');
    const reloaded = keys.reload('file change');
    expect(keys.authenticate('k1')?.id).toBe('acme');
    await new Promise((r) => setTimeout(r, 5));
    writeFileSync(file, full.slice(0, 20));
    expect(keys.authenticate('k1')?.id).toBe('acme');
    await new Promise((r) => setTimeout(r, 5));
    writeFileSync(file, full);
    await reloaded;
    expect(keys.authenticate('k1')?.id).toBe('acme');
    expect(keys.authenticate('k2')?.id).toBe('beta');
    expect(logger.warn).toHaveBeenCalledWith(
      'API keys file still changing: the previous keys stay in force meanwhile',
    );
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('applies an emptied file once it has stayed empty, and says every client is refused', async () => {
    writeFileSync(file, keyEntry('acme', 'k1'));
    const keys = make([]);
    keys.load();
    writeFileSync(file, '');
    await keys.reload('file change');
    expect(keys.authenticate('k1')).toBeUndefined();
    expect(keys.enabled).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith(
      { reason: 'file change', clients: 0, keys: 0 },
      'API keys reloaded: no keys, every client is refused',
    );
  });

  it('authenticates managed keys beside the configured ones, and lists only the configured', () => {
    const keys = make([keyEntry('acme', 'ka')], false);
    keys.load();
    expect(keys.hasAdminKeys).toBe(false);
    keys.setManagedKeys(
      KeyTable.of([{ digest: apiKeyDigest('km'), client: { id: 'beta', admin: true } }]),
    );
    expect(keys.authenticate('ka')?.id).toBe('acme');
    expect(keys.authenticate('km')).toEqual({ id: 'beta', admin: true });
    expect(keys.hasAdminKeys).toBe(true);
    expect(keys.clientIds()).toEqual(['acme', 'beta']);
    expect(keys.configuredKeys().map((k) => [k.client.id, k.origin])).toEqual([
      ['acme', 'environment'],
    ]);
    // A new snapshot replaces the previous one whole: a revoked key is simply absent.
    keys.setManagedKeys(KeyTable.empty());
    expect(keys.authenticate('km')).toBeUndefined();
    expect(keys.hasAdminKeys).toBe(false);
  });

  it('requires keys when they are managed through the key API, even with none listed', () => {
    const keys = new KeyRegistry(
      { entries: [], managed: true },
      logger as unknown as PinoLogger,
      new AccessMetrics(new MetricsRegistry()),
    );
    keys.load();
    expect(keys.enabled).toBe(true);
    expect(keys.authenticate('anything')).toBeUndefined();
  });
});
