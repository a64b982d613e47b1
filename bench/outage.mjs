// Memory through a PostgreSQL outage: the production bundle (image's Node, flags and allocator
// settings, resolved against the Deployment's memory limit) with DATABASE_URL through a TCP proxy
// that the bench cuts. While PostgreSQL is unreachable, POST /query keeps answering and the
// history waits in the write-behind buffer (HISTORY_BUFFER_MAX_BYTES, 64 MiB by default); the
// bench sends BENCH_OUTAGE_PROMPTS prompts of BENCH_OUTAGE_PROMPT_BYTES each (3,000 × 90 kB:
// four times what the buffer holds), samples the server's RSS every 50 ms, then restores the
// proxy and waits for the buffer to drain into the database.
//
//   node bench/outage.mjs     (npm run bench:outage; BENCH_DATABASE_URL names a throwaway
//                              database ai_agent_bench…, recreated and dropped; BENCH_MEMORY_LIMIT_MIB,
//                              default 256 as in the Deployment; BENCH_OUTAGE_CONCURRENCY, 16)
//
// Goal: the outage costs at most the buffer's bound plus 100 MiB (peak RSS during the outage
// minus RSS before it). Exits 1 when it costs more, when a request fails, or when the buffer
// does not drain after the recovery.
import pg from 'pg';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { dropDatabase, recreateDatabase } from './lib/history-rows.mjs';
import { imageRuntime } from './lib/image-runtime.mjs';
import {
  SERVER_CORE,
  freePort,
  http,
  installCleanup,
  memory,
  pinSelf,
  spawnPinned,
  stopChild,
  waitHealthy,
} from './lib/processes.mjs';
import { bundleBuild, snapshotBuild } from './lib/snapshot.mjs';
import { productionNode } from './lib/servers.mjs';
import { TcpProxy } from '../test/k8s/lib/net.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ai_agent_bench_outage';
const MEMORY_LIMIT_MIB = Number(process.env.BENCH_MEMORY_LIMIT_MIB ?? 256);
const PROMPTS = Number(process.env.BENCH_OUTAGE_PROMPTS ?? 3000);
const PROMPT_BYTES = Number(process.env.BENCH_OUTAGE_PROMPT_BYTES ?? 90_000);
const CONCURRENCY = Number(process.env.BENCH_OUTAGE_CONCURRENCY ?? 16);
const BUFFER_MAX_BYTES = 64 * 1024 ** 2;
const ALLOWANCE_MIB = BUFFER_MAX_BYTES / 1024 ** 2 + 100;
const DRAIN_TIMEOUT_MS = 60_000;
const log = (line) => process.stderr.write(`${line}\n`);

/** POST /query with a prompt of `bytes` ASCII characters, unique by `n`; resolves the status. */
function query(port, n, bytes) {
  const prompt = `[outage ${n}] ${'the history waits for the database '.repeat(bytes / 35)}`;
  const body = JSON.stringify({ prompt: prompt.slice(0, bytes), max_tokens: 50 });
  return http(port, '/query', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    timeoutMs: 30_000,
  }).then(
    (res) => res.status,
    () => 0,
  );
}

/** Runs `count` queries, `concurrency` at a time; the statuses, counted. */
async function queries(port, first, count, concurrency) {
  const statuses = {};
  let next = first;
  const end = first + count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < end) {
        const status = await query(port, next++, PROMPT_BYTES);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/** The value of one unlabelled metric on /metrics. */
async function metric(port, name) {
  const { body } = await http(port, '/metrics', { timeoutMs: 5000 });
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

async function historyRows() {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM query_history');
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function main() {
  installCleanup();
  pinSelf();
  const node = productionNode(ROOT);
  const bundle = bundleBuild(ROOT, snapshotBuild(ROOT));
  const image = imageRuntime(ROOT, {
    memoryLimitMiB: MEMORY_LIMIT_MIB,
    compileCacheDir: join(bundle, 'compile-cache'),
  });
  await recreateDatabase(DATABASE_URL);
  const viaProxy = new URL(DATABASE_URL);
  const proxy = await new TcpProxy(Number(viaProxy.port || 5432)).start();
  viaProxy.port = String(proxy.port);
  const port = await freePort();
  const service = spawnPinned(
    SERVER_CORE,
    node.path,
    [...image.nodeArgs, join(bundle, 'main.mjs')],
    {
      cwd: bundle,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...image.env,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        DATABASE_URL: viaProxy.toString(),
        DATABASE_MIGRATE_ON_START: 'true',
        // The bound the allowance is computed from, whatever the service's default becomes.
        HISTORY_BUFFER_MAX_BYTES: String(BUFFER_MAX_BYTES),
        // Every prompt reaches the history: no cached answers.
        CACHE_TTL_SECONDS: '0',
      },
      stdoutFile: join(tmpdir(), `ai-agent-bench-outage-${process.pid}.log`),
    },
  );
  let failed = false;
  try {
    await waitHealthy(service, port, { timeoutMs: 30_000 });
    // Warm: the tokenizer's tables and the compiled request path, with the database up.
    const warm = await queries(port, 0, 200, CONCURRENCY);
    await sleep(2000);
    const before = memory(service.pid).rssMiB;
    log(
      `outage: ${image.nodeArgs.join(' ')} · limit ${MEMORY_LIMIT_MIB} MiB · RSS before ${before.toFixed(1)} MiB · warm-up ${JSON.stringify(warm)}`,
    );

    await proxy.cut();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory(service.pid).rssMiB);
    }, 50);
    const started = performance.now();
    const outage = await queries(port, 1000, PROMPTS, CONCURRENCY);
    const seconds = (performance.now() - started) / 1000;
    const buffered = await metric(port, 'history_buffer_bytes');
    const dropped = await metric(port, 'history_buffer_dropped_total');
    clearInterval(sampler);
    const during = memory(service.pid).rssMiB;
    peak = Math.max(peak, during);

    await proxy.restore();
    const drainStart = performance.now();
    let left = buffered;
    while (left > 0 && performance.now() - drainStart < DRAIN_TIMEOUT_MS) {
      await sleep(250);
      left = await metric(port, 'history_buffer_bytes');
    }
    const drainS = (performance.now() - drainStart) / 1000;
    const rows = await historyRows();
    const after = memory(service.pid).rssMiB;
    const cost = peak - before;
    const ok2xx = outage['200'] ?? 0;
    log(
      `  ${PROMPTS} × ${PROMPT_BYTES} B prompts in ${seconds.toFixed(1)} s, ${CONCURRENCY} at a time: ${JSON.stringify(outage)}`,
    );
    log(
      `  buffer at the end of the outage ${(buffered / 1024 ** 2).toFixed(1)} MiB, dropped ${dropped}; drained in ${drainS.toFixed(1)} s (left ${left} B); ${rows} history rows written`,
    );
    log(
      `  RSS: before ${before.toFixed(1)}, peak ${peak.toFixed(1)}, end of outage ${during.toFixed(1)}, after the drain ${after.toFixed(1)} MiB`,
    );
    const within = cost <= ALLOWANCE_MIB;
    log(
      `  ${within ? '✅' : '❌'} the outage cost ${cost.toFixed(1)} MiB of RSS (goal ≤ ${ALLOWANCE_MIB} MiB: the buffer's bound + 100 MiB)`,
    );
    failed = !within || ok2xx !== PROMPTS || left > 0;
    if (ok2xx !== PROMPTS) log('  ❌ some queries failed during the outage');
    if (left > 0) log('  ❌ the buffer did not drain after the recovery');
  } finally {
    await stopChild(service);
    await proxy.stop();
    await dropDatabase(DATABASE_URL).catch(() => {});
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  log(`outage: ${error.stack ?? error}`);
  process.exit(1);
});
