import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import type { DependencyMonitor } from '@app/platform';
import { loadEnvironment } from '@app/platform';
import {
  databaseConfig,
  postgresOptions,
  type DatabaseConfig,
  type DatabaseConnector,
} from '@app/platform/database';
import { Registry } from 'prom-client';
import type { AccessMetrics } from '../../../../libs/access/src/access.metrics.js';
import { BudgetLedger } from '../../../../libs/access/src/budgets/budget-ledger.js';
import type { BudgetConfig } from '../../../../libs/access/src/budgets/budget.config.js';
import { PostgresUsageRecord } from '../../../../libs/access/src/budgets/postgres/postgres-usage-record.js';
import { RedisBudgetStore } from '../../../../libs/access/src/budgets/redis-budget-store.js';
import { retryAfterMs } from '../../../../libs/access/src/budgets/budget-headers.js';
import { loadSchema } from '../../src/database-schema.js';
import { TestDatabase, TestRedis } from '../support/servers.js';

const logger = { warn: () => undefined, info: () => undefined } as unknown as PinoLogger;
const metrics = { failOpen: { inc: () => undefined } } as unknown as AccessMetrics;
const monitor = { report: () => undefined } as unknown as DependencyMonitor;
const DAY: BudgetConfig = {
  tokensPerDay: 500,
  tokensPerMonth: 0,
  rollingTokens: 0,
  rollingHours: 24,
};

/** The budget script against a real Redis and the usage record in a real PostgreSQL. */
describe('token budgets in Redis, recorded in PostgreSQL', () => {
  let redis: TestRedis;
  let client: Redis;
  let db: TestDatabase;
  let ds: DataSource;
  let record: PostgresUsageRecord;
  const clock = { now: Date.parse('2026-12-06T23:58:00Z') };
  const ledger = (config: BudgetConfig = DAY) =>
    new BudgetLedger(
      new RedisBudgetStore(client),
      record,
      config,
      metrics,
      logger,
      () => clock.now,
    );

  beforeAll(async () => {
    redis = await TestRedis.create();
    client = new Redis(redis.url, { keyPrefix: redis.prefix });
    db = await TestDatabase.create();
    const config = databaseConfig(loadEnvironment({ DATABASE_URL: db.url })) as DatabaseConfig;
    ds = await new DataSource(postgresOptions(config, await loadSchema())).initialize();
    await ds.runMigrations();
    const connector = { isUsable: true } as DatabaseConnector;
    record = new PostgresUsageRecord(ds, connector, monitor, new Registry(), logger);
  });
  afterAll(async () => {
    await record.onApplicationShutdown();
    client.disconnect();
    await redis.close();
    await ds.destroy();
    await db.drop();
  });

  it('admits 5 of 20 concurrent requests reserving 100 of a 500-token day, then reconciles', async () => {
    const budgets = ledger();
    const states = await Promise.all(
      Array.from({ length: 20 }, () => budgets.reserve('burst', undefined, 100)),
    );
    const admitted = states.filter((s) => s.admitted);
    expect(admitted).toHaveLength(5);
    expect(states.filter((s) => !s.admitted).every((s) => s.check?.used[0] === 500)).toBe(true);
    await Promise.all(admitted.map((s) => budgets.settle(s.reservation!, 40)));
    const key = `${redis.prefix}budget:v1:{burst}:d:2026-12-06`;
    expect(await client.hgetall(key.slice(redis.prefix.length))).toEqual({ s: '200' });
    // The day's key outlives the day by the grace period, no more.
    const ttl = await redis.client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2 * 86_400_000);
    const more = await Promise.all(
      Array.from({ length: 5 }, () => budgets.reserve('burst', undefined, 100)),
    );
    expect(more.filter((s) => s.admitted)).toHaveLength(3);
  });

  it('refuses until the next UTC midnight exactly', async () => {
    const budgets = ledger();
    const spent = await budgets.reserve('midnight', undefined, 0);
    await budgets.settle(spent.reservation!, 500);
    const refused = await budgets.reserve('midnight', undefined, 1);
    expect(refused.check?.violated).toEqual(['tokens-per-day']);
    expect(retryAfterMs(refused)).toBe(120_000);
    clock.now = Date.parse('2026-12-07T00:00:00Z');
    try {
      expect((await budgets.reserve('midnight', undefined, 1)).admitted).toBe(true);
    } finally {
      clock.now = Date.parse('2026-12-06T23:58:00Z');
    }
  });

  it('re-seeds the spend from PostgreSQL after Redis lost its keys: nobody starts over', async () => {
    const budgets = ledger({ ...DAY, tokensPerMonth: 10_000, rollingTokens: 450 });
    const first = await budgets.reserve('restart', undefined, 100);
    await budgets.settle(first.reservation!, 420);
    await record.flush();
    const rows = await db.query<{ tokens: string; requests: string }>(
      "SELECT tokens, requests FROM client_usage_hourly WHERE client_id = 'restart'",
    );
    expect(rows).toEqual([{ tokens: '420', requests: '1' }]);
    // A Redis restart: every key of the client gone.
    const keys = (await redis.keys()).filter((k) => k.includes('{restart}'));
    expect(keys).toHaveLength(3);
    await redis.client.del(...keys);
    const refused = await budgets.reserve('restart', undefined, 100);
    expect(refused.admitted).toBe(false);
    expect(refused.check?.violated).toEqual(['tokens-per-day', 'tokens-rolling']);
    expect(refused.check?.used).toEqual([420, 420, 420]);
    expect(await record.totals('restart')).toEqual({ tokens: 420, requests: 1 });
    // Unwritten use counts too: it is part of the seed until it reaches the table.
    await redis.client.del(...keys);
    record.add('restart', Math.floor(clock.now / 3_600_000), 60, 1);
    const seeded = await budgets.reserve('restart', undefined, 0);
    expect(seeded.check).toMatchObject({ used: [480, 480, 480], violated: ['tokens-rolling'] });
    expect(await record.daily('restart', Date.parse('2026-12-01T00:00:00Z'), clock.now)).toEqual([
      { date: '2026-12-06', tokens: 480, requests: 2 },
    ]);
  });

  it('lets a reservation lapse when its replica never settles it', async () => {
    const budgets = ledger();
    clock.now = Date.parse('2026-12-06T10:00:00Z');
    const lost = await budgets.reserve('crashed', undefined, 500);
    expect(lost.admitted).toBe(true);
    try {
      expect((await budgets.reserve('crashed', undefined, 1)).admitted).toBe(false);
      clock.now += 15 * 60_000 + 1; // past the reservation's lease, the same day

      expect((await budgets.reserve('crashed', undefined, 1)).admitted).toBe(true);
    } finally {
      clock.now = Date.parse('2026-12-06T23:58:00Z');
    }
  });
});
