// The PostgreSQL variant's database: recreated for each run (a throwaway database of the bench's
// own, never a shared one), then filled with 1 M history rows by SQL generate_series so that
// pagination is measured at depth.
import pg from 'pg';

const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);

function names(url) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  // Only a database the bench owns by name: never drop anything else.
  if (!/^ai_agent_bench[a-z0-9_]*$/.test(name)) {
    throw new Error(`BENCH_DATABASE_URL must name a database ai_agent_bench…, not "${name}"`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return { name, admin: admin.toString() };
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops and creates the bench's database. */
export async function recreateDatabase(url) {
  const { name, admin } = names(url);
  await withClient(admin, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
}

/** Drops the bench's database (end of run). */
export async function dropDatabase(url) {
  const { name, admin } = names(url);
  await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Inserts ROWS history rows (one per second of the past, so they sort before any new query)
 * into the migrated table; returns { rows, seconds, deepCursor } where deepCursor points ~90 %
 * into the newest-first order, encoded as the service encodes it.
 */
export async function fillHistory(url) {
  const started = performance.now();
  return withClient(url, async (c) => {
    await c.query('SET statement_timeout = 300000');
    await c.query(
      `INSERT INTO query_history (id, created_at, request_id, provider, model, prompt, response,
         prompt_chars, response_chars, prompt_sha256, max_tokens, prompt_tokens,
         completion_tokens, tokens_used, latency_ms, cache_status)
       SELECT md5(i::text)::uuid, now() - make_interval(secs => i), NULL, 'builtin', 'builtin-echo',
         'bench prompt ' || i, 'Processed: bench prompt ' || i, 20, 31, md5(i::text) || md5(i::text),
         100, 4, 8, 12, 0.1, 'MISS'
       FROM generate_series(1, $1::int) AS i`,
      [ROWS],
    );
    await c.query('ANALYZE query_history');
    const { rows } = await c.query(
      'SELECT id, created_at FROM query_history ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1',
      [Math.floor(ROWS * 0.9)],
    );
    const deep = rows[0];
    const deepCursor = Buffer.from(`${deep.created_at.toISOString()}|${deep.id}`).toString(
      'base64url',
    );
    return { rows: ROWS, seconds: (performance.now() - started) / 1000, deepCursor };
  });
}
