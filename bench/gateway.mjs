// The gateway benchmark: POST /v1/chat/completions proxied to a mock OpenAI upstream, by the
// service (the production bundle on the image's Node and settings, cache off so that every
// request reaches the upstream) and, side by side, by the Portkey AI gateway routed to the same
// upstream with its x-portkey-* headers; the upstream alone is the floor. Each gateway runs alone
// on core 0; wrk and the upstream share core 1.
//
//   node bench/gateway.mjs            (npm run bench:gateway; BENCH_DURATION, BENCH_WARMUP;
//                                       BENCH_NODE_ARGS: the service's node flags instead of the image's)
//   BENCH_GATEWAY_PROFILE=1 node bench/gateway.mjs   (the service alone under --cpu-prof at 64
//                                       connections; summarised as bench/profile.mjs does)
//
// Portkey (`@portkey-ai/gateway`, BENCH_PORTKEY_VERSION) is installed by this script into a
// scratch folder, never into the project; without the npm registry its rows are skipped.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { imageRuntime } from './lib/image-runtime.mjs';
import { measure } from './lib/measure.mjs';
import {
  LOAD_CORE,
  SERVER_CORE,
  freePort,
  http,
  installCleanup,
  memory,
  pinSelf,
  spawnPinned,
  stopChild,
} from './lib/processes.mjs';
import { bundleBuild, snapshotBuild } from './lib/snapshot.mjs';
import { productionNode } from './lib/servers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const PORTKEY_VERSION = process.env.BENCH_PORTKEY_VERSION ?? '1.15.2';
const PROFILE = process.env.BENCH_GATEWAY_PROFILE === '1';
const PROFILE_DIR = join(tmpdir(), 'ai-agent-bench-profiles');
const log = (line) => process.stderr.write(`${line}\n`);

/** Installs the Portkey gateway into a scratch folder (kept between runs); its entry script. */
function installPortkey() {
  const dir = join(tmpdir(), `ai-agent-bench-portkey-${PORTKEY_VERSION}`);
  const entry = join(dir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (existsSync(entry)) return { entry };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  try {
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', `@portkey-ai/gateway@${PORTKEY_VERSION}`],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 },
    );
    return { entry };
  } catch (error) {
    return { missing: `Portkey not installed (${String(error.stderr ?? error).slice(0, 200)})` };
  }
}

/** Resolves once `path` answers anything but a connection error. */
async function waitAnswering(child, port, path, timeoutMs = 30_000) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child.exitInfo) throw new Error(`exited before answering: ${child.tail}`);
    try {
      await http(port, path, { timeoutMs: 1000 });
      return performance.now() - started;
    } catch {
      await sleep(20);
    }
  }
  throw new Error(`no answer on ${path} within ${timeoutMs} ms: ${child.tail}`);
}

async function main() {
  installCleanup();
  const node = productionNode(ROOT);
  const bundle = bundleBuild(ROOT, snapshotBuild(ROOT));
  const image = imageRuntime(ROOT, {
    memoryLimitMiB: 512,
    compileCacheDir: join(bundle, 'compile-cache'),
  });
  const pinned = pinSelf();
  const upstreamPort = await freePort();
  const upstream = spawnPinned(
    LOAD_CORE,
    node.path,
    [join(ROOT, 'bench', 'mock-openai-upstream.mjs'), String(upstreamPort)],
    {},
  );
  await waitAnswering(upstream, upstreamPort, '/health');

  const servers = [];
  const servicePort = await freePort();
  const service = spawnPinned(
    SERVER_CORE,
    node.path,
    [
      ...(process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? image.nodeArgs),
      ...(PROFILE
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${PROFILE_DIR}`,
            '--cpu-prof-name=gateway-service.cpuprofile',
          ]
        : []),
      join(bundle, 'main.mjs'),
    ],
    {
      cwd: bundle,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...image.env,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(servicePort),
        LOG_LEVEL: 'info',
        LLM_PROVIDER: 'openai',
        LLM_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
        LLM_MODEL: 'gpt-4o-mini',
        LLM_API_KEY: 'sk-bench',
        CACHE_TTL_SECONDS: '0',
      },
      stdoutFile: join(tmpdir(), `ai-agent-bench-gateway-service-${process.pid}.log`),
    },
  );
  await waitAnswering(service, servicePort, '/health');
  servers.push({ name: 'service', child: service, port: servicePort, request: 'chat-miss' });

  if (PROFILE) return profileService(service, servicePort, upstreamPort, upstream, bundle);
  const portkey = installPortkey();
  if (portkey.missing) log(`gateway: ${portkey.missing}; Portkey rows skipped`);
  else {
    const port = await freePort();
    const child = spawnPinned(
      SERVER_CORE,
      node.path,
      [
        '--import',
        join(ROOT, 'bench', 'loopback-only.mjs'),
        portkey.entry,
        `--port=${port}`,
        '--headless',
      ],
      {
        cwd: dirname(portkey.entry),
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
        stdoutFile: join(tmpdir(), `ai-agent-bench-gateway-portkey-${process.pid}.log`),
      },
    );
    await waitAnswering(child, port, '/');
    servers.push({ name: 'Portkey', child, port, request: 'chat-miss-portkey' });
  }
  servers.push({
    name: 'upstream alone',
    child: upstream,
    port: upstreamPort,
    request: 'chat-miss',
  });

  await sleep(1500);
  for (const s of servers) s.idle = memory(s.child.pid);
  log(
    `gateway: ${servers.map((s) => s.name).join(', ')} · ${DURATION} s per measurement${pinned ? '' : ' · WARNING: not pinned'}`,
  );
  const rows = [];
  for (const connections of [1, 64]) {
    for (const s of servers) {
      const load = { id: `chat@${connections}`, request: s.request, connections, generator: 'wrk' };
      const r = await measure(
        { child: s.child, port: s.port },
        load,
        { duration: DURATION, warmup: WARMUP, vars: { upstreamPort } },
        log,
      );
      rows.push({ server: s.name, connections, ...r });
      log(
        `  ${load.id.padEnd(8)} ${s.name.padEnd(16)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  ${Math.round(r.cpu.usPerRequest ?? 0)} µs/req  non-2xx ${r.non2xx} errors ${r.errors + r.timeouts}`,
      );
      await sleep(300);
    }
  }
  for (const s of servers) s.after = memory(s.child.pid);
  const results = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: execFileSync(node.path, ['--version'], { encoding: 'utf8' }).trim(),
    portkey: portkey.missing ? null : PORTKEY_VERSION,
    durationS: DURATION,
    rows: rows.map(({ server, connections, rps, latencyMs, cpu, non2xx, errors, timeouts }) => ({
      server,
      connections,
      rps,
      p50: latencyMs.p50,
      p99: latencyMs.p99,
      cpuUsPerRequest: cpu.usPerRequest,
      non2xx,
      errors: errors + timeouts,
    })),
    memory: servers.map((s) => ({
      server: s.name,
      idleMiB: s.idle.rssMiB,
      afterMiB: s.after.rssMiB,
    })),
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'gateway.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${markdown(results)}\n`);
  for (const s of servers) await stopChild(s.child);
}

/** The service alone at 64 connections under --cpu-prof, then the profile summarised. */
async function profileService(service, port, upstreamPort, upstream, bundle) {
  const load = { id: 'chat@64', request: 'chat-miss', connections: 64, generator: 'wrk' };
  await sleep(1500);
  const r = await measure(
    { child: service, port },
    load,
    { duration: DURATION, warmup: WARMUP, vars: { upstreamPort } },
    log,
  );
  log(`  profiled: ${Math.round(r.rps)} req/s, ${Math.round(r.cpu.usPerRequest ?? 0)} µs/req`);
  await stopChild(service);
  await stopChild(upstream);
  // The bundle the profile's line numbers refer to, kept beside it.
  cpSync(bundle, join(PROFILE_DIR, 'gateway-bundle'), { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'bench', 'profile.mjs'),
      '--analyse',
      join(PROFILE_DIR, 'gateway-service.cpuprofile'),
    ],
    { stdio: 'inherit' },
  );
}

function markdown({ rows, memory: mem, node, portkey, date }) {
  const row = (server, c) => rows.find((r) => r.server === server && r.connections === c);
  const fmt = (n) => (n == null ? '–' : Math.round(n).toLocaleString('en-US'));
  const lines = [
    `POST /v1/chat/completions to a mock OpenAI upstream, cache off, unique prompts; ${node}, Portkey ${portkey ?? 'not run'}; ${date}.`,
    '',
    '| server | connections | req/s | p50 / p99 ms | CPU µs/req | vs Portkey req/s | added p50 over the upstream ms |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const pk = row('Portkey', r.connections);
    const up = row('upstream alone', r.connections);
    lines.push(
      `| ${r.server} | ${r.connections} | ${fmt(r.rps)} | ${r.p50} / ${r.p99} | ${fmt(r.cpuUsPerRequest)} | ${pk && r.server !== 'upstream alone' ? `${(r.rps / pk.rps).toFixed(2)}×` : '–'} | ${up && r.server !== 'upstream alone' ? (r.p50 - up.p50).toFixed(2) : '–'} |`,
    );
  }
  lines.push('', '| server | idle RSS MiB | RSS after the loads MiB |', '| --- | --- | --- |');
  for (const m of mem)
    lines.push(`| ${m.server} | ${m.idleMiB.toFixed(1)} | ${m.afterMiB.toFixed(1)} |`);
  return lines.join('\n');
}

main().catch((error) => {
  log(`gateway bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
