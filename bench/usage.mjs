// Usage report queries at scale: a month of history for 10 000 clients (10 M query_history rows
// by SQL generate_series, BENCH_USAGE_ROWS shrinks it) rolled up into the budgets' hourly table,
// then the reads GET /v1/usage makes, through the service's own PostgresUsageRecord, for random
// clients. Prints their time (target: under 100 ms) beside the same report aggregated from
// query_history directly. A throwaway database on 127.0.0.1 only, dropped at the end; every step
// is bounded by BENCH_USAGE_TIMEOUT_S. Run with `npm run bench:usage` (it builds first).
import { Registry } from 'prom-client';
import { dropDatabase, recreateDatabase } from './lib/history-rows.mjs';

const ROWS = Number(process.env.BENCH_USAGE_ROWS ?? 10_000_000);
const CLIENTS = Number(process.env.BENCH_USAGE_CLIENTS ?? 10_000);
const REPORTS = Number(process.env.BENCH_USAGE_REPORTS ?? 200);
const TIMEOUT_S = Number(process.env.BENCH_USAGE_TIMEOUT_S ?? 900);
const URL_ =
  process.env.BENCH_USAGE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ai_agent_bench_usage';
const TARGET_MS = 100;
const DAY_MS = 86_400_000;
const CHUNK = 1_000_000;

if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(URL_).hostname)) {
  throw new Error('BENCH_USAGE_DATABASE_URL must point at 127.0.0.1: the bench fills and drops it');
}

const dist = (path) => import(new URL(`../dist/${path}`, import.meta.url).href);
const { loadSchema } = await dist('apps/agent-service/src/database-schema.js');
const { loadEnvironment } = await dist('libs/platform/src/index.js');
const { databaseConfig, postgresOptions } = await dist('libs/platform/src/database/index.js');
const { PostgresUsageRecord } = await dist(
  'libs/access/src/budgets/postgres/postgres-usage-record.js',
);
const { windowsAt } = await dist('libs/access/src/budgets/budget-windows.js');
const { DataSource } = await import('typeorm');

const deadline = Date.now() + TIMEOUT_S * 1000;
const timer = setTimeout(() => {
  console.error(`usage bench: over BENCH_USAGE_TIMEOUT_S=${TIMEOUT_S}, giving up`);
  process.exit(1);
}, TIMEOUT_S * 1000);
const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1);
const quiet = { warn: () => undefined, info: () => undefined };

await recreateDatabase(URL_);
const env = loadEnvironment({ DATABASE_URL: URL_, DATABASE_QUERY_TIMEOUT_MS: '600000' });
const ds = await new DataSource(
  postgresOptions(databaseConfig(env), await loadSchema()),
).initialize();
try {
  await ds.runMigrations();
  const end = Date.now();
  const start = end - 30 * DAY_MS;

  // One history row every (30 days / ROWS), clients in turn: every client is active every hour.
  let started = performance.now();
  for (let from = 1; from <= ROWS; from += CHUNK) {
    if (Date.now() > deadline) throw new Error('out of time while filling');
    await ds.query(
      `INSERT INTO query_history (id, created_at, client_id, provider, model, prompt_chars,
         response_chars, prompt_sha256, max_tokens, prompt_tokens, completion_tokens,
         tokens_used, latency_ms, cache_status)
       SELECT md5(i::text)::uuid,
         to_timestamp($3::float8 / 1000) + make_interval(secs => (i - 1) * $4::float8 / 1000),
         'client-' || (i % $5), 'builtin', 'builtin-echo', 20, 31, md5(i::text) || md5(i::text),
         100, 4, 8, 12 + i % 200, 0.1, 'MISS'
       FROM generate_series($1::int, $2::int) AS i`,
      [from, Math.min(ROWS, from + CHUNK - 1), start, (end - start) / ROWS, CLIENTS],
    );
  }
  console.log(
    `${ROWS.toLocaleString('en')} history rows for ${CLIENTS} clients in ${seconds(started)} s`,
  );

  // The budgets' record of the same month, as settled requests would have written it.
  started = performance.now();
  await ds.query(`INSERT INTO client_usage_hourly (client_id, hour, tokens, requests)
    SELECT client_id, date_trunc('hour', created_at), sum(tokens_used), count(*)
    FROM query_history GROUP BY 1, 2`);
  await ds.query(`INSERT INTO client_usage_daily (client_id, day, tokens, requests)
    SELECT client_id, (hour AT TIME ZONE 'UTC')::date, sum(tokens), sum(requests)
    FROM client_usage_hourly GROUP BY 1, 2`);
  await ds.query(`INSERT INTO client_usage_totals (client_id, tokens, requests)
    SELECT client_id, sum(tokens), sum(requests) FROM client_usage_daily GROUP BY 1`);
  await ds.query('ANALYZE');
  const [{ hourly, daily }] = await ds.query(`SELECT
    (SELECT count(*)::int FROM client_usage_hourly) AS hourly,
    (SELECT count(*)::int FROM client_usage_daily) AS daily`);
  console.log(
    `${hourly.toLocaleString('en')} hourly and ${daily.toLocaleString('en')} daily usage rows in ${seconds(started)} s`,
  );

  const monitor = { report: () => undefined };
  const record = new PostgresUsageRecord(ds, { isUsable: true }, monitor, new Registry(), quiet);
  const windows = windowsAt(end);
  const client = (i) => `client-${(i * 7919) % CLIENTS}`;

  // What GET /v1/usage reads: the days of the range, the lifetime totals, the budget windows.
  const viaRecord = await timeReports((id) =>
    Promise.all([record.daily(id, start, end), record.totals(id), record.spentIn(id, windows, 24)]),
  );
  const viaHistory = await timeReports((id) =>
    ds.query(
      `SELECT date_trunc('day', created_at) AS day, sum(tokens_used), count(*) FROM query_history
       WHERE client_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY 1`,
      [id, new Date(start), new Date(end)],
    ),
  );
  await record.onApplicationShutdown();

  console.log(`usage report of one client over 30 days (${REPORTS} random clients, sequential):`);
  console.log(`  usage record (/v1/usage):  ${summary(viaRecord)}`);
  console.log(`  query_history aggregate:   ${summary(viaHistory)} (for comparison)`);
  const p95 = percentile(viaRecord, 0.95);
  console.log(
    p95 < TARGET_MS
      ? `PASS: p95 ${p95.toFixed(1)} ms < ${TARGET_MS} ms`
      : `FAIL: p95 ${p95.toFixed(1)} ms`,
  );
  process.exitCode = p95 < TARGET_MS ? 0 : 1;

  async function timeReports(report) {
    const times = [];
    for (let i = 0; i < REPORTS && Date.now() < deadline; i++) {
      const t0 = performance.now();
      await report(client(i));
      times.push(performance.now() - t0);
    }
    return times;
  }
} finally {
  await ds.destroy();
  await dropDatabase(URL_);
  clearTimeout(timer);
}

function percentile(times, p) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summary(times) {
  const ms = (p) => `${percentile(times, p).toFixed(1)} ms`;
  return `p50 ${ms(0.5)}, p95 ${ms(0.95)}, max ${ms(1)}`;
}
