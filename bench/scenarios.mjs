// What `npm run bench` measures. Edit the tables below; bench/run.mjs only executes them.

/** A realistic ~20-word prompt, longer than 100 characters so the `...` truncation path runs. */
export const QUERY_PROMPT =
  'Summarise the main trade-offs between caching query responses in Redis and recomputing them ' +
  'for a small team running a Node service.';

/**
 * Request shapes, by id. `seedFactor` is the req/s ratio "minimal NestJS ÷ FastAPI seed" measured
 * on this machine before the project started (0.41 for /health, 0.51 for /query): the seed's
 * req/s is estimated as nest-minimal ÷ seedFactor. `idReplacement: true` makes autocannon replace
 * every `[<id>]` in the body with a unique id per request (cache-miss traffic); `tallyHeader`
 * counts the values of one response header (e.g. `x-cache` → { HIT: n, MISS: m }).
 */
export const REQUESTS = {
  health: { method: 'GET', path: '/health', seedFactor: 0.41 },
  query: {
    method: 'POST',
    path: '/query',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: QUERY_PROMPT, max_tokens: 100 }),
    seedFactor: 0.51,
  },
  // Ready for the cache variants (not run by default):
  // 'query-unique': {
  //   method: 'POST', path: '/query', headers: { 'content-type': 'application/json' },
  //   body: JSON.stringify({ prompt: `${QUERY_PROMPT} [<id>]`, max_tokens: 100 }),
  //   idReplacement: true, tallyHeader: 'x-cache',
  // },
  // 'query-cached': { ...same as query..., tallyHeader: 'x-cache' },
};

/** The autocannon request for a REQUESTS id (without the bench-only fields). */
export function requestFor(id) {
  const request = { ...REQUESTS[id] };
  delete request.seedFactor;
  return request;
}

/** Load shapes, by id: which request, how many connections. Each runs warm-up + BENCH_DURATION. */
export const LOADS = [
  { id: 'health@1', request: 'health', connections: 1 },
  { id: 'health@64', request: 'health', connections: 64 },
  { id: 'query@1', request: 'query', connections: 1 },
  { id: 'query@64', request: 'query', connections: 64 },
];

/**
 * Liveness under saturation: `load` saturates the server while a separate 1-connection
 * `probe` process measures its own latency over the same window.
 */
export const SATURATION = {
  load: { request: 'query', connections: 64 },
  probe: { request: 'health', connections: 1 },
};

const SERVICE = 'dist/apps/agent-service/src/main.js';

/**
 * Servers under test, one row each, run one at a time on core 0. A variant of the service is a
 * new row with the same `script` and different `env` (merged over the base env: PORT, HOST=127.0.0.1,
 * LOG_LEVEL=warn, BUILTIN_LATENCY_MS=0; nothing else is inherited from the shell but PATH/HOME).
 *
 * - role: 'service' (the product), 'floor' (raw node:http, the ratio denominator; exactly one row)
 *   or 'reference' (nest-minimal; the seed estimate comes from it; at most one row).
 * - loads: ids from LOADS (default: all of them).
 * - saturation: also run the SATURATION scenario on this server.
 * - coldStart: measure spawn → first 200 from /health (default true).
 */
export const SERVERS = [
  { name: 'service', role: 'service', script: SERVICE, env: {}, saturation: true },
  { name: 'nest-minimal', role: 'reference', script: 'bench/nest-minimal.mjs', env: {} },
  { name: 'floor', role: 'floor', script: 'bench/floor-server.mjs', env: {}, saturation: true },
  // Variants to add once the service supports them (each row costs ~1 min with default timings):
  // {
  //   name: 'service+pg+redis', role: 'service', script: SERVICE, saturation: true,
  //   env: { DATABASE_URL: 'postgres://root@127.0.0.1:5432/test', REDIS_URL: 'redis://127.0.0.1:6379' },
  //   loads: ['health@64', 'query@64', 'query-unique@64'],
  // },
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
};
