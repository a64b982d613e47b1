import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, testKey } from '../support/api-keys.js';
import { sharedStoresEnv, TestDatabase, TestRedis } from '../support/servers.js';
import { ServiceProcess } from '../support/service-process.js';
import { waitFor } from '../support/wait.js';

const BUDGET = 2_000;

/**
 * Two built service processes sharing PostgreSQL and Redis, as two replicas: a client's day
 * budget is one budget whichever replica it reaches, and it survives Redis losing its keys.
 */
describe('token budgets across replicas sharing PostgreSQL and Redis', () => {
  const acme = testKey('acme', `tpd=${BUDGET}`);
  let db: TestDatabase;
  let redis: TestRedis;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await TestDatabase.create();
    redis = await TestRedis.create();
    const env = { ...sharedStoresEnv(db, redis), API_KEYS: acme.entry };
    for (let i = 0; i < 2; i++) services.push(await ServiceProcess.start(env));
    for (const service of services) {
      await service.waitUntilLive();
      await waitFor(
        'ready',
        async () => (await fetch(`${service.url}/ready`)).status === 200,
        20_000,
      );
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await redis.close();
    await db.drop();
  });

  const burst = (n: number) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const res = await services[i % 2].query(
          { prompt: `replica question ${i} `.repeat(10), max_tokens: 100 },
          bearer(acme.key),
        );
        const body = (await res.json()) as { tokens_used?: number };
        return {
          status: res.status,
          tokens: body.tokens_used ?? 0,
          retry: res.headers.get('retry-after'),
        };
      }),
    );

  it('never lets the client spend more than its day, whichever replica answers', async () => {
    const results = [];
    for (let round = 0; round < 15; round++) {
      const batch = await burst(20);
      results.push(...batch);
      if (batch.every((r) => r.status === 429)) break;
    }
    const answered = results.filter((r) => r.status === 200);
    const spent = answered.reduce((sum, r) => sum + r.tokens, 0);
    expect(results.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    // Reservations cover what the built-in provider uses: nothing beyond the budget.
    expect(spent).toBeLessThanOrEqual(BUDGET);
    expect(spent).toBeGreaterThan(BUDGET / 2);

    // Both replicas write what they settled to the one record.
    await waitFor(
      'usage written',
      async () => {
        const [row] = await db.query<{ tokens: string | null }>(
          "SELECT sum(tokens) AS tokens FROM client_usage_hourly WHERE client_id = 'acme'",
        );
        return Number(row.tokens) === spent;
      },
      10_000,
    );

    // Redis loses every key: the next request is refused all the same, on either replica.
    const keys = (await redis.keys()).filter((k) => k.includes('budget:'));
    expect(keys.length).toBeGreaterThan(0);
    await redis.client.del(...keys);
    const after = await burst(4);
    expect(after.map((r) => r.status)).toEqual([429, 429, 429, 429]);

    for (const service of services) {
      const usage = (await (
        await fetch(`${service.url}/v1/usage`, { headers: bearer(acme.key) })
      ).json()) as { total: { tokens: number; requests: number }; budgets: { used: number }[] };
      expect(usage.total).toEqual({ tokens: spent, requests: answered.length });
      expect(usage.budgets[0].used).toBe(spent);
    }
  }, 120_000);
});
