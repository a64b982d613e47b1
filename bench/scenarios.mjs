import { OTLP_SINK_PORT } from './lib/otlp-sink.mjs';
// What `npm run bench` measures. Edit the tables below; bench/run.mjs only executes them.
import { UNIQUE_MARK } from './lib/wrk.mjs';

/** A realistic ~20-word prompt, longer than 100 characters so the `...` truncation path runs. */
export const QUERY_PROMPT =
  'Summarise the main trade-offs between caching query responses in Redis and recomputing them ' +
  'for a small team running a Node service.';

const JSON_HEADERS = { 'content-type': 'application/json' };
const queryBody = (prompt) => JSON.stringify({ prompt, max_tokens: 100 });
const chatBody = () =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `${QUERY_PROMPT} ${UNIQUE_MARK}` }],
    max_tokens: 50,
  });
/** A prompt of ordinary words, `bytes` long, unique per request (the marker is replaced). */
function sizedPrompt(bytes) {
  const words = 'the service answers each query from its provider and keeps a short history ';
  const room = bytes - UNIQUE_MARK.length - 1;
  return `${UNIQUE_MARK} ${words.repeat(Math.ceil(room / words.length)).slice(0, room)}`;
}

/**
 * Request shapes, by id. `unique: true`: the body's UNIQUE_MARK becomes a unique id per request
 * (wrk: a counter in Lua; autocannon: its idReplacement), so every one is a cache miss.
 */
export const REQUESTS = {
  health: { method: 'GET', path: '/health' },
  // The same prompt every time: after the first request the service answers from its cache.
  query: { method: 'POST', path: '/query', headers: JSON_HEADERS, body: queryBody(QUERY_PROMPT) },
  'query-miss': {
    method: 'POST',
    path: '/query',
    headers: JSON_HEADERS,
    body: queryBody(`${QUERY_PROMPT} ${UNIQUE_MARK}`),
    unique: true,
  },
  'prompt-100B': {
    method: 'POST',
    path: '/query',
    headers: JSON_HEADERS,
    body: queryBody(sizedPrompt(100)),
    unique: true,
  },
  'prompt-10kB': {
    method: 'POST',
    path: '/query',
    headers: JSON_HEADERS,
    body: queryBody(sizedPrompt(10_000)),
    unique: true,
  },
  'prompt-100kB': {
    method: 'POST',
    path: '/query',
    headers: JSON_HEADERS,
    body: queryBody(sizedPrompt(100_000)),
    unique: true,
  },
  // The gateway row: one chat completion per request, unique (every one reaches the upstream).
  'chat-miss': {
    method: 'POST',
    path: '/v1/chat/completions',
    headers: JSON_HEADERS,
    body: chatBody(),
    unique: true,
  },
  // The same through the Portkey gateway, routed to the same upstream by its headers.
  'chat-miss-portkey': {
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {
      ...JSON_HEADERS,
      authorization: 'Bearer sk-bench',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': 'http://127.0.0.1:<upstreamPort>/v1',
    },
    body: chatBody(),
    unique: true,
  },
  // History pages of 50 over 1 M rows: the newest page and one ~900 000 rows deep (its cursor
  // is filled in once the rows exist, see bench/lib/history-rows.mjs).
  'history-first': { method: 'GET', path: '/queries?limit=50' },
  'history-deep': { method: 'GET', path: '/queries?limit=50&cursor=<deep>' },
};

/**
 * Loads, by id: which request, how many connections, which generator (wrk unless said).
 * Each runs warm-up + BENCH_DURATION on every server that lists it, servers back to back.
 */
const load = (request, connections, extra = {}) => ({
  id: `${request}@${connections}${extra.generator === 'autocannon' ? ' autocannon' : ''}`,
  request,
  connections,
  generator: 'wrk',
  ...extra,
});
export const LOADS = [
  load('health', 1),
  load('health', 64),
  load('health', 64, { generator: 'autocannon' }),
  load('query', 1),
  load('query', 64),
  load('query', 64, { generator: 'autocannon' }),
  load('query-miss', 1),
  load('query-miss', 64),
  load('query-miss', 64, { generator: 'autocannon' }),
  load('query', 256),
  load('query', 1024),
  load('prompt-100B', 64),
  load('prompt-10kB', 64),
  load('prompt-100kB', 64),
  load('history-first', 64),
  load('history-deep', 64),
];
const ids = (...names) => names.map((n) => LOADS.find((l) => l.id === n).id);
/** What the service and the peer both run: the comparison proper. */
const CORE_LOADS = LOADS.filter((l) => !l.request.startsWith('history')).map((l) => l.id);

/** Liveness under saturation: /health probed like kubelet (new connection each, 20 ms apart). */
export const SATURATION = {
  load: { request: 'query', connections: 64 },
  probe: { request: 'health', gapMs: 20 },
};

const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ai_agent_bench';

/**
 * Servers under test, one at a time on core 0. `kind`: 'bundle' (the production bundle, on the
 * production Node), 'peer' (the FastAPI service), 'node' (a script here, on the same Node).
 * `env` is merged over serverEnv(); `optIn` rows run only when named in BENCH_SERVERS.
 */
export const SERVERS = [
  {
    name: 'service',
    kind: 'bundle',
    role: 'service',
    loads: CORE_LOADS,
    saturation: true,
    livenessPort: true,
    coldStart: true,
    tallyHeader: 'x-cache',
  },
  {
    name: 'peer',
    kind: 'peer',
    role: 'peer',
    loads: CORE_LOADS,
    saturation: true,
    coldStart: true,
  },
  {
    name: 'service, cache off',
    kind: 'bundle',
    role: 'variant',
    env: { CACHE_TTL_SECONDS: '0' },
    loads: ids('query@64'),
  },
  {
    name: 'service + Redis',
    kind: 'bundle',
    role: 'variant',
    env: { REDIS_URL: BENCH_REDIS_URL, REDIS_KEY_PREFIX: `ai-agent-bench-${process.pid}:` },
    loads: ids('query@64', 'query-miss@64'),
    tallyHeader: 'x-cache',
  },
  {
    name: 'service + PostgreSQL',
    kind: 'bundle',
    role: 'variant',
    env: { DATABASE_URL: BENCH_DATABASE_URL, DATABASE_MIGRATE_ON_START: 'true' },
    database: true,
    loads: ids('query-miss@64', 'history-first@64', 'history-deep@64'),
  },
  // Tracing on (the default row has it off: no OTEL_* set, the SDK is not loaded): every
  // request sampled (no caller's traceparent: parentbased_always_on samples the root) and
  // exported over OTLP/HTTP protobuf to a sink in the bench process.
  {
    name: 'service + tracing',
    kind: 'bundle',
    role: 'variant',
    otlpSink: true,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${OTLP_SINK_PORT}` },
    loads: ids('query@64', 'query-miss@64'),
    tallyHeader: 'x-cache',
  },
  // On request: the bundle on plain `node`, without the image's flags and ENV, to see in one
  // run what those settings cost and save.
  {
    name: 'service on plain node',
    kind: 'bundle',
    role: 'variant',
    plainNode: true,
    optIn: true,
    loads: ids('query@64', 'query-miss@64', 'prompt-100kB@64'),
  },
  // References, on request: a minimal Nest app and bare node:http doing the same work.
  {
    name: 'nest-minimal',
    kind: 'node',
    role: 'reference',
    script: 'bench/nest-minimal.mjs',
    optIn: true,
    loads: ids('health@64', 'query@64'),
  },
  {
    name: 'floor',
    kind: 'node',
    role: 'reference',
    script: 'bench/floor-server.mjs',
    optIn: true,
    // Every prompt of the floor is new: its query rows are cache misses, whatever the load.
    loads: ids('health@64', 'query@64', 'query-miss@64'),
  },
];

/** The environment of a server: production defaults, nothing from the shell but PATH and HOME. */
export function serverEnv(server, port) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    TOKEN_ENCODING: 'cl100k_base',
    ...server.env,
  };
}

/** Targets, checked against the peer measured in the same run. */
export const TARGETS = {
  rpsVsPeer: 1.5, // health, query hit, query miss at 1 and 64 connections
  p99VsPeer: 1.2, // at 64 connections, every route
  cpuPerMissUs: 200, // CPU per /query cache miss at 64 connections
  healthP99UnderLoadMs: 25,
  idleRssMiB: 80,
  loadedRssMiB: 150,
  coldStartMs: 300,
  dockerFirstHealthMs: 500,
};
