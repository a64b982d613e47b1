// What `npm run bench` measures. Edit the tables below; bench/run.mjs only executes them.

/** A realistic ~20-word prompt, longer than 100 characters so the `...` truncation path runs. */
export const QUERY_PROMPT =
  'Summarise the main trade-offs between caching query responses in Redis and recomputing them ' +
  'for a small team running a Node service.';

/**
 * Request shapes, by id. `seedFactor` is the req/s ratio "minimal NestJS ÷ FastAPI seed" measured
 * on this machine before the project started (0.41 for /health, 0.51 for /query): the seed's
 * req/s is estimated as nest-minimal ÷ seedFactor. `idReplacement: true` makes autocannon replace
 * every `[<id>]` in the body with a unique id per request.
 */
export const REQUESTS = {
  health: { method: 'GET', path: '/health', seedFactor: 0.41 },
  // The same prompt every time: after the first request the service answers from its response
  // cache (X-Cache: HIT); the floor and nest-minimal have no cache and recompute.
  query: {
    method: 'POST',
    path: '/query',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: QUERY_PROMPT, max_tokens: 100 }),
    seedFactor: 0.51,
  },
  // A unique prompt per request: every one is a cache miss (computed, then stored).
  'query-miss': {
    method: 'POST',
    path: '/query',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: `${QUERY_PROMPT} [<id>]`, max_tokens: 100 }),
    idReplacement: true,
    seedFactor: 0.51,
  },
};

/** The autocannon request for a REQUESTS id (without the bench-only fields). */
export function requestFor(id) {
  const request = { ...REQUESTS[id] };
  delete request.seedFactor;
  return request;
}

/**
 * Load shapes, by id: which request, how many connections; each runs warm-up + BENCH_DURATION.
 * Servers without a `loads` list run the ones not marked `optIn`. Ratios divide by the floor's /
 * nest-minimal's result for the same id or, when that server did not run it, for `compareTo`.
 */
export const LOADS = [
  { id: 'health@1', request: 'health', connections: 1 },
  { id: 'health@64', request: 'health', connections: 64 },
  { id: 'query@1', request: 'query', connections: 1 },
  { id: 'query@64', request: 'query', connections: 64 },
  {
    id: 'query-miss@64',
    label: 'POST /query, unique prompts',
    request: 'query-miss',
    connections: 64,
    compareTo: 'query@64',
    optIn: true,
  },
];
export const DEFAULT_LOADS = LOADS.filter((l) => !l.optIn).map((l) => l.id);

/**
 * Liveness under saturation: `load` saturates the server while a separate process probes it
 * the way kubelet does — one request at a time, each on a new connection, `gapMs` apart — and
 * measures the probe's latency over the same window.
 */
export const SATURATION = {
  load: { request: 'query', connections: 64 },
  probe: { request: 'health', gapMs: 20 },
};

const SERVICE = 'dist/apps/agent-service/src/main.js';
// The machine's servers (127.0.0.1 only); the database is recreated for each run.
const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ai_agent_bench';

/** Drops and creates the database named in `url` (connecting to `postgres` on the same server). */
async function recreateDatabase(url) {
  const { default: pg } = await import('pg');
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}
// The encoding the service counts tokens with (libs/agent/src/tokens/token-counter.ts), so that
// the floor and nest-minimal do the same work; the run's sanity check flags a mismatch.
const TOKEN_ENCODING = 'cl100k_base';

/**
 * Servers under test, one row each, run one at a time on core 0. A variant of the service is a
 * new row with the same `script` and different `env` (merged over the base env of serverEnv();
 * nothing else is inherited from the shell but PATH and HOME).
 *
 * - role: 'service' (the product), 'floor' (raw node:http, the ratio denominator; one row) or
 *   'reference' (nest-minimal; the seed estimate comes from it; one row).
 * - loads: ids from LOADS (default: DEFAULT_LOADS).
 * - tallyHeader: count the values of this response header per load (shown when present).
 * - saturation: also run the SATURATION scenario on this server.
 * - coldStart: measure spawn → first 200 from /health (default true).
 * - node: 'default' — run on the node running the bench, ignoring BENCH_NODE.
 * - setup: async function run before the row (e.g. recreate its database).
 * - build: 'bundle' — run.mjs bundles the build first (docker/bundle.mjs); `script` is then
 *   relative to the bundle folder (`bundle/main.mjs`). The row is skipped if bundling fails.
 */
export const SERVERS = [
  {
    name: 'service',
    role: 'service',
    script: SERVICE,
    env: {},
    loads: [...DEFAULT_LOADS, 'query-miss@64'],
    tallyHeader: 'x-cache',
    saturation: true,
  },
  {
    // What the production image runs: the same build bundled by docker/bundle.mjs (esbuild).
    // Same code as `service`, so only start-up and memory are measured.
    name: 'service-bundle',
    role: 'service',
    script: 'bundle/main.mjs',
    build: 'bundle',
    env: {},
    loads: [],
  },
  {
    name: 'nest-minimal',
    role: 'reference',
    script: 'bench/nest-minimal.mjs',
    env: { TOKEN_ENCODING },
    // The seed ratios (seedFactor) were measured with the machine's Node 20: the reference stays
    // on the node running the bench even when BENCH_NODE moves the other servers to Node 24.
    node: 'default',
  },
  {
    name: 'floor',
    role: 'floor',
    script: 'bench/floor-server.mjs',
    env: { TOKEN_ENCODING },
    // Unique prompts cost the tokenizer more (its cache misses too): the floor runs them as well.
    loads: [...DEFAULT_LOADS, 'query-miss@64'],
    saturation: true,
  },
  {
    // The response cache in Redis, hot: the fixed prompt is a HIT after its first request.
    name: 'service+redis',
    role: 'service',
    script: SERVICE,
    env: { REDIS_URL: BENCH_REDIS_URL, REDIS_KEY_PREFIX: `ai-agent-bench-${process.pid}:` },
    loads: ['query@1', 'query@64'],
    tallyHeader: 'x-cache',
    coldStart: false,
  },
  {
    // Every query recorded in PostgreSQL (write-behind, batched); unique prompts, so no cache hits.
    name: 'service+postgres',
    role: 'service',
    script: SERVICE,
    env: { DATABASE_URL: BENCH_DATABASE_URL, DATABASE_MIGRATE_ON_START: 'true' },
    setup: () => recreateDatabase(BENCH_DATABASE_URL),
    loads: ['query-miss@64'],
    tallyHeader: 'x-cache',
    coldStart: false,
  },
];

/** The environment of a server process: nothing inherited from the shell but PATH and HOME. */
export function serverEnv(server, port) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    BUILTIN_LATENCY_MS: '0',
    ...server.env,
  };
}

/** Targets, shown next to the measurements. */
export const TARGETS = {
  seedRatio: 1.0, // req/s per core ≥ 1.0× the FastAPI seed (estimated, see seedFactor)
  coldStartMs: 500,
  idleRssMiB: 80,
  healthP99UnderLoadMs: 50,
  cacheHotP50Ms: 2, // POST /query end to end with the Redis cache hot
};
