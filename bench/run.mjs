// `npm run bench`: the production configuration (the esbuild bundle the image runs, on the
// image's Node 24, default settings, LOG_LEVEL=info) side by side with the FastAPI service it
// replaces, every server pinned to core 0 and every load generator to core 1. Prints every
// target with ✅/❌ and writes the tables and a plot into docs/benchmarks.md.
//
// Env: BENCH_DURATION (s per measurement, default 8), BENCH_WARMUP (s, 2), BENCH_COLD_RUNS (5),
// BENCH_SERVERS / BENCH_LOADS (comma-separated names / ids), BENCH_WRITE_DOC=0 (leave the doc
// alone), BENCH_NODE (the servers' node; default: bench/node24.sh), BENCH_PEER_DIR,
// BENCH_PYTHON, BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_HISTORY_ROWS (1000000),
// BENCH_NODE_ARGS (flags for the service's node, instead of the image's NODE_OPTIONS and CMD),
// BENCH_IMAGE_RUNTIME=0 (neither the image's node flags nor its allocator settings),
// BENCH_MEMORY_LIMIT_MIB (the container limit the image's heap flags are resolved against: 512,
// as in compose.yaml), BENCH_RETRIES (3), BENCH_QUIET_BUDGET_S (60). `--report FILE.json`
// renders a saved run again.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { installCleanup, memory, pinSelf, stopChild } from './lib/processes.mjs';
import { bundleBuild, snapshotBuild } from './lib/snapshot.mjs';
import { budgets, measure, saturation } from './lib/measure.mjs';
import {
  coldStart,
  fillCompileCache,
  findPeer,
  productionNode,
  sanityCheck,
  startServer,
} from './lib/servers.mjs';
import { dropDatabase, fillHistory, recreateDatabase } from './lib/history-rows.mjs';
import { imageRuntime } from './lib/image-runtime.mjs';
import { findWrk } from './lib/wrk.mjs';
import { renderMarkdown, writeDoc } from './lib/report.mjs';
import { renderSvg } from './lib/plot.mjs';
import { startOtlpSink } from './lib/otlp-sink.mjs';
import { evaluateTargets } from './lib/targets.mjs';
import { BENCH_DATABASE_URL, LOADS, SERVERS, TARGETS } from './scenarios.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);
const num = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0)
    throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return v;
};
const list = (name) =>
  process.env[name]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const DURATION = Math.max(1, Math.round(num('BENCH_DURATION', 8)));
const WARMUP = Math.round(num('BENCH_WARMUP', 2));
const COLD_RUNS = Math.max(1, Math.round(num('BENCH_COLD_RUNS', 5)));
const WRITE_DOC = process.env.BENCH_WRITE_DOC !== '0';
const log = (line) => process.stderr.write(`${line}\n`);

function plan(peer) {
  const names = list('BENCH_SERVERS');
  const keepLoads = list('BENCH_LOADS');
  const servers = SERVERS.filter((s) => (names ? names.includes(s.name) : !s.optIn))
    .filter((s) => s.kind !== 'peer' || !peer.missing)
    .map((s) => ({
      ...s,
      loads: s.loads
        .filter((id) => !keepLoads || keepLoads.includes(id))
        .map((id) => LOADS.find((l) => l.id === id)),
    }));
  if (servers.length === 0) throw new Error('no server selected (BENCH_SERVERS)');
  return servers;
}

function estimateSeconds(servers) {
  return servers.reduce((t, s) => {
    const cold = s.coldStart ? COLD_RUNS * 1.5 : 0;
    const loads = s.loads.reduce(
      (sum, l) => sum + WARMUP + DURATION + (l.request === 'prompt-100kB' ? 3 : 1),
      0,
    );
    return t + 3 + cold + loads + (s.saturation ? DURATION + 4 : 0) + (s.database ? 40 : 0);
  }, 20);
}

async function prepare(server, ctx) {
  const out = {
    name: server.name,
    kind: server.kind,
    role: server.role,
    env: server.env ?? {},
    loads: [],
  };
  log(
    `${server.name}${Object.keys(out.env).length ? ` (${Object.keys(out.env).join(', ')})` : ''}`,
  );
  if (server.database) await recreateDatabase(BENCH_DATABASE_URL);
  if (server.otlpSink) out.otlp = await startOtlpSink();
  if (server.coldStart) {
    out.coldStart = await coldStart(server, ctx, COLD_RUNS);
    log(
      `  cold start median ${Math.round(out.coldStart.medianMs)} ms (${out.coldStart.runsMs.join(', ')})`,
    );
  }
  const running = await startServer(server, ctx);
  await sleep(1500);
  out.idle = memory(running.child.pid);
  log(`  idle RSS ${out.idle.rssMiB.toFixed(1)} MiB`);
  out.check = await sanityCheck(running.port);
  if (!out.check.ok) log(`  sanity check: ${out.check.note}`);
  const vars = {};
  if (server.database) {
    out.history = await fillHistory(BENCH_DATABASE_URL);
    vars.deep = out.history.deepCursor;
    log(
      `  ${out.history.rows.toLocaleString('en-US')} history rows in ${out.history.seconds.toFixed(1)} s`,
    );
  }
  return { server, out, running, vars };
}

const skipped = [];

async function benchAll(servers, ctx) {
  const prepared = [];
  try {
    for (const server of servers) {
      try {
        prepared.push(await prepare(server, ctx));
      } catch (error) {
        // A variant whose dependency is missing (no PostgreSQL, no Redis) is reported, not fatal.
        if (server.role !== 'variant') throw error;
        const reason = String(error instanceof Error ? error.message : error).split('\n')[0];
        log(`  skipped: ${reason}`);
        skipped.push({ name: server.name, reason });
      }
    }
    for (const load of LOADS) {
      for (const p of prepared) {
        if (!p.server.loads.includes(load)) continue;
        const r = await measure(
          p.running,
          load,
          { duration: DURATION, warmup: WARMUP, vars: p.vars, tallyHeader: p.server.tallyHeader },
          log,
        );
        p.out.loads.push(r);
        const l = r.latencyMs;
        log(
          `  ${load.id.padEnd(24)} ${p.server.name.padEnd(22)} ${Math.round(r.rps).toString().padStart(7)} req/s  p50 ${l.p50} ms  p99 ${l.p99} ms  ` +
            `${Math.round(r.cpu.usPerRequest ?? 0)} µs/req  errors ${r.errors + r.timeouts}/${r.non2xx}`,
        );
        if (load === p.server.loads.at(-1)) p.out.afterLoad = memory(p.running.child.pid);
        await sleep(300);
      }
    }
    for (const p of prepared) {
      p.out.afterLoad ??= memory(p.running.child.pid);
      if (!p.server.saturation) continue;
      p.out.saturation = await saturation(p.running, { duration: DURATION }, log);
      const { load, probe } = p.out.saturation;
      log(
        `  saturation ${p.server.name}: /query ${Math.round(load.rps)} req/s; /health probe p50 ${probe.latencyMs.p50} ms p99 ${probe.latencyMs.p99} ms`,
      );
    }
  } finally {
    for (const p of prepared) await stopChild(p.running.child);
    if (prepared.some((p) => p.server.database))
      await dropDatabase(BENCH_DATABASE_URL).catch(() => {});
  }
  return prepared.map((p) => p.out);
}

async function report(results) {
  const svg = renderSvg(results);
  const markdown = renderMarkdown(results);
  process.stdout.write(`${markdown}\n`);
  if (!WRITE_DOC) return;
  writeFileSync(join(ROOT, 'docs', 'benchmarks-connections.svg'), svg);
  await writeDoc(join(ROOT, 'docs', 'benchmarks.md'), markdown);
}

async function main() {
  const from = process.argv.indexOf('--report');
  if (from >= 0) return report(JSON.parse(readFileSync(resolve(process.argv[from + 1]), 'utf8')));
  installCleanup();
  const started = performance.now();
  if (!findWrk())
    throw new Error('wrk is not installed: `apt-get install -y wrk` (Debian) and run again');
  const node = productionNode(ROOT);
  const peer = findPeer(ROOT);
  if (peer.missing) log(`bench: ${peer.missing}`);
  if (node.note) log(`bench: ${node.note}`);
  const servers = plan(peer);
  const estimate = estimateSeconds(servers);
  setTimeout(
    () => {
      log(`bench: over the ${Math.round(estimate * 2 + 120)} s limit, giving up`);
      process.exit(1); // the exit hook kills every child
    },
    (estimate * 2 + 120) * 1000,
  ).unref();
  const snapshot = snapshotBuild(ROOT);
  const bundle = bundleBuild(ROOT, snapshot);
  const image =
    process.env.BENCH_IMAGE_RUNTIME === '0'
      ? { nodeArgs: [], env: {} }
      : imageRuntime(ROOT, {
          memoryLimitMiB: Number(process.env.BENCH_MEMORY_LIMIT_MIB ?? 512),
          compileCacheDir: join(bundle, 'compile-cache'),
        });
  const ctx = {
    root: ROOT,
    node: node.path,
    // The image's node flags and allocator settings, unless told otherwise: e.g.
    // BENCH_NODE_ARGS="--max-semi-space-size=1" to try other V8 flags.
    nodeArgs: process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? image.nodeArgs,
    imageEnv: image.env,
    peer,
    bundle,
  };
  if (ctx.imageEnv.NODE_COMPILE_CACHE) await fillCompileCache(ctx);
  const pinned = pinSelf();
  const load0 = loadavg()[0];
  log(
    `bench: ${servers.map((s) => s.name).join(', ')} · ${DURATION} s per measurement + ${WARMUP} s warm-up · about ${Math.round(estimate / 60)} min${pinned ? '' : ' · WARNING: not pinned'}`,
  );
  const results = {
    meta: {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      serverNode: (await import('node:child_process'))
        .execFileSync(node.path, ['--version'], { encoding: 'utf8' })
        .trim(),
      benchNode: process.version,
      nodeArgs: ctx.nodeArgs,
      imageEnv: ctx.imageEnv,
      nodeNote: node.note,
      peer: peer.missing ? { missing: peer.missing } : { version: peer.version },
      cpu: cpus()[0]?.model?.trim() ?? 'unknown',
      cores: cpus().length,
      pinned,
      durationS: DURATION,
      warmupS: WARMUP,
      coldRuns: COLD_RUNS,
      loadAverage: { start: load0 },
    },
    targets: TARGETS,
  };
  results.servers = await benchAll(servers, ctx);
  results.skipped = skipped;
  results.meta.loadAverage.end = loadavg()[0];
  Object.assign(results.meta, budgets(), {
    totalS: Math.round((performance.now() - started) / 1000),
  });
  results.evaluation = evaluateTargets(results);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  await report(results);
  log(
    `bench: done in ${results.meta.totalS} s · bench/results/latest.json${WRITE_DOC ? ' · docs/benchmarks.md' : ''}`,
  );
}

main().catch((error) => {
  log(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
