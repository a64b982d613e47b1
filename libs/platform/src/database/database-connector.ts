import {
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { type DependencyMonitor } from '../health/dependency-monitor.js';
import { type MetricsRegistry } from '../telemetry/metrics-registry.js';
import { migrateWithLock } from './advisory-lock.js';

export type MigrationState = 'disabled' | 'pending' | 'running' | 'done' | 'failed';
const MIGRATION_STATES: MigrationState[] = ['disabled', 'pending', 'running', 'done', 'failed'];
const MAX_BACKOFF_MS = 5_000;

/**
 * Connects the data source in the background so start-up never waits on PostgreSQL, retrying
 * with backoff until it succeeds; then (optionally) migrates. The pg pool reconnects by itself
 * after later outages.
 */
export class DatabaseConnector
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private migrationState: MigrationState;
  private readonly migrationGauge: Gauge<'state'>;
  private readonly abort = new AbortController();
  private connecting: Promise<void> | undefined;

  constructor(
    readonly dataSource: DataSource,
    private readonly monitor: DependencyMonitor,
    registry: MetricsRegistry,
    private readonly logger: PinoLogger,
    private readonly migrateOnStart: boolean,
  ) {
    this.migrationState = migrateOnStart ? 'pending' : 'disabled';
    this.migrationGauge = new Gauge({
      name: 'database_migration_state',
      help: 'Boot-time migration state (1 for the current state).',
      labelNames: ['state'],
      registers: [registry],
    });
    this.setMigrationState(this.migrationState);
  }

  /** True once connected and, when enabled, migrated: the schema is usable. */
  get isUsable(): boolean {
    return (
      this.dataSource.isInitialized &&
      this.migrationState !== 'pending' &&
      this.migrationState !== 'running' &&
      this.migrationState !== 'failed'
    );
  }

  onApplicationBootstrap(): void {
    this.connecting = this.connectLoop();
  }

  /** Resolves once the schema is usable (or shutdown began). */
  async whenUsable(): Promise<void> {
    await this.connecting;
  }

  /** Readiness ping: a real round trip with the caller's timeout. */
  async ping(signal: AbortSignal): Promise<void> {
    if (!this.dataSource.isInitialized) throw new Error('not connected');
    if (this.migrationState === 'failed') throw new Error('migrations failed');
    if (this.migrationState === 'running' || this.migrationState === 'pending')
      throw new Error('migrating');
    try {
      await abortable(this.dataSource.query('SELECT 1'), signal);
      this.monitor.report('database', true);
    } catch (error) {
      this.monitor.report('database', false, error);
      throw error;
    }
  }

  beforeApplicationShutdown(): void {
    this.abort.abort();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
      try {
        if (!this.dataSource.isInitialized) await this.dataSource.initialize();
        this.monitor.report('database', true);
        if (this.migrationState === 'pending' || this.migrationState === 'failed')
          await this.migrate();
        return;
      } catch (error) {
        this.monitor.report('database', false, error);
        const backoff = Math.min(MAX_BACKOFF_MS, 200 * 2 ** Math.min(attempt, 5));
        await sleep(backoff, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  private async migrate(): Promise<void> {
    this.setMigrationState('running');
    try {
      const applied = await migrateWithLock(this.dataSource);
      this.setMigrationState('done');
      this.logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
    } catch (error) {
      this.setMigrationState('failed');
      this.logger.error({ err: error }, 'migrations failed');
      throw error;
    }
  }

  private setMigrationState(state: MigrationState): void {
    this.migrationState = state;
    for (const s of MIGRATION_STATES) this.migrationGauge.set({ state: s }, s === state ? 1 : 0);
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
