import { describe, expect, it } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DependencyMonitor } from '../health/dependency-monitor.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { DatabaseConnector } from './database-connector.js';

/** A data source whose first connection takes `connectMs` and then succeeds or fails. */
function dataSource(connectMs: number, fails: boolean) {
  const source = {
    isInitialized: false,
    options: { migrationsTableName: 'migrations' },
    migrations: [],
    initialize: async () => {
      await new Promise((r) => setTimeout(r, connectMs));
      if (fails) throw new Error('connection refused');
      source.isInitialized = true;
    },
    query: () => Promise.resolve([]),
    destroy: () => Promise.resolve(),
  };
  return source as unknown as DataSource;
}

function connector(source: DataSource) {
  const logger = { info: () => undefined, error: () => undefined, warn: () => undefined };
  const registry = new MetricsRegistry();
  const monitor = new DependencyMonitor(registry, logger as unknown as PinoLogger);
  return new DatabaseConnector(source, monitor, registry, logger as unknown as PinoLogger, false);
}

describe('DatabaseConnector.ping', () => {
  it('waits for the first connection attempt instead of calling the database down', async () => {
    const c = connector(dataSource(80, false));
    c.onApplicationBootstrap();
    await expect(c.ping(AbortSignal.timeout(1_000))).resolves.toBeUndefined();
    c.beforeApplicationShutdown();
    await c.onApplicationShutdown();
  });

  it('reports a first attempt that failed as down', async () => {
    const c = connector(dataSource(20, true));
    c.onApplicationBootstrap();
    await expect(c.ping(AbortSignal.timeout(1_000))).rejects.toThrow('not connected');
    c.beforeApplicationShutdown();
    await c.onApplicationShutdown();
  });

  it('gives up waiting when the readiness check times out', async () => {
    const c = connector(dataSource(500, false));
    c.onApplicationBootstrap();
    await expect(c.ping(AbortSignal.timeout(30))).rejects.toThrow('not connected');
    c.beforeApplicationShutdown();
    await c.onApplicationShutdown();
  });
});
