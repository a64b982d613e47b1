import type {
  BeforeApplicationShutdown,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { DependencyMonitor } from '../health/dependency-monitor.js';
import type { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { migrateWithLock } from './advisory-lock.js';

/**
 * `pending`: not yet migrated (or, with boot-time migration off, waiting for someone to run the
 * migrations); `disabled`: boot-time migration off and the schema is current.
 */
export type MigrationState = 'disabled' | 'pending' | 'running' | 'done' | 'failed';
const MIGRATION_STATES: MigrationState[] = ['disabled', 'pending', 'running', 'done', 'failed'];
const MAX_BACKOFF_MS = 5_000;

/**
 * Connects the data source in the background so start-up never waits on PostgreSQL, retrying
 * with backoff until it succeeds; then migrates (when enabled) or waits until the schema is
 * current. The pg pool reconnects by itself after later outages.
 */
export class DatabaseConnector
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private migrationState: MigrationState = 'pending';
  private readonly migrationGauge: Gauge<'state'>;
  private readonly abort = new AbortController();
  private connecting: Promise<void> | undefined;
  /** Settles when the first connection attempt has succeeded or failed. */
  private firstAttemptDone: () => void = () => undefined;
  private readonly firstAttempt = new Promise<void>((resolve) => (this.firstAttemptDone = resolve));

  constructor(
    readonly dataSource: DataSource,
    private readonly monitor: DependencyMonitor,
    registry: MetricsRegistry,
    private readonly logger: PinoLogger,
    private readonly migrateOnStart: boolean,
  ) {
    this.migrationGauge = new Gauge({
      name: 'database_migration_state',
      help: 'Schema migration state (1 for the current state).',
      labelNames: ['state'],
      registers: [registry],
    });
    this.setMigrationState('pending');
  }

  /** True once connected and the schema is current. */
  get isUsable(): boolean {
    const state = this.migrationState;
    return this.dataSource.isInitialized && (state === 'done' || state === 'disabled');
  }

  onApplicationBootstrap(): void {
    this.connecting = this.connectLoop();
  }

  /**
   * Readiness ping: a real round trip (Terminus bounds it with the readiness timeout). Right
   * after start-up it first waits for the first connection attempt: not connected *yet* is not
   * down.
   */
  async ping(signal?: AbortSignal): Promise<void> {
    if (!this.dataSource.isInitialized) await settledOrAborted(this.firstAttempt, signal);
    if (!this.dataSource.isInitialized) throw new Error('not connected');
    if (!this.isUsable) throw new Error(`schema ${this.migrationState}`);
    try {
      await this.dataSource.query('SELECT 1');
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
    // A connect still in flight would open a pool after the check below: let it settle first.
    await this.connecting;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
      try {
        if (!this.dataSource.isInitialized) await this.dataSource.initialize();
        if (this.abort.signal.aborted) return;
        await (this.migrateOnStart ? this.migrate() : this.checkSchema());
        this.monitor.report('database', true);
        this.firstAttemptDone();
        return;
      } catch (error) {
        this.monitor.report('database', false, error);
        this.firstAttemptDone();
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

  /**
   * With boot-time migration off, stay unusable (and retry) until the schema is current. Reads
   * the migrations table without creating it, so it never races an operator's migration run.
   */
  private async checkSchema(): Promise<void> {
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    const rows = (await this.dataSource.query(`SELECT name FROM "${table}"`).catch(() => [])) as {
      name: string;
    }[];
    const applied = new Set(rows.map((r) => r.name));
    const pending = this.dataSource.migrations.filter(
      (m) => !applied.has(m.name ?? m.constructor.name),
    );
    if (pending.length > 0) {
      throw new Error(
        `schema not migrated (${pending.length} pending): run "npm run migration:run" or set DATABASE_MIGRATE_ON_START=true`,
      );
    }
    this.setMigrationState('disabled');
  }

  private setMigrationState(state: MigrationState): void {
    this.migrationState = state;
    for (const s of MIGRATION_STATES) this.migrationGauge.set({ state: s }, s === state ? 1 : 0);
  }
}

/** Waits for `promise` unless `signal` aborts first (then returns: the caller decides). */
async function settledOrAborted(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  await Promise.race([promise, aborted]);
  signal.removeEventListener('abort', onAbort);
}
