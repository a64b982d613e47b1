// Where does a server's CPU go? Runs it under `node --cpu-prof` (pinned to core 0), loads one
// endpoint with autocannon (core 1), and summarises the samples taken during the measured window:
// self time by function, self time by package, and inclusive time by package (time with that
// package anywhere on the stack — how much a middleware costs, callees included).
//
//   node bench/profile.mjs [--server service] [--requests health,query] [--seconds 5] [--connections 64]
//   node bench/profile.mjs --analyse FILE.cpuprofile      (summarise an existing profile)
//
// Profiles go to $TMPDIR/ai-agent-bench-profiles (open them in Chrome DevTools → Performance);
// summaries to bench/results/profile-<server>-<request>.json.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  SERVER_CORE,
  freePort,
  installCleanup,
  pinSelf,
  runLoad,
  spawnNode,
  stopChild,
  waitHealthy,
} from './lib/processes.mjs';
import { scriptPath, snapshotBuild } from './lib/snapshot.mjs';
import { REQUESTS, SERVERS, serverEnv } from './scenarios.mjs';
import { autocannonRequest, requestOf } from './lib/measure.mjs';
import { productionNode } from './lib/servers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'service' },
    requests: { type: 'string', default: 'health,query' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    interval: { type: 'string', default: '200' },
    top: { type: 'string', default: '25' },
    analyse: { type: 'string' },
  },
});
const TOP = Number(values.top);
let snapshot;

/** A path relative to the project (or to the build snapshot). */
function relative(path) {
  for (const base of [snapshot, ROOT]) {
    if (base && path.startsWith(`${base}/`)) return path.slice(base.length + 1);
  }
  // A snapshot of an earlier run (profile analysed with --analyse).
  return path.replace(/^.*\/ai-agent-bench-build-[^/]+\//, '');
}

/** Package (or bucket) a call frame belongs to. */
function packageOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return '(native/V8 builtins)';
  }
  if (url.startsWith('node:')) return 'node:internals';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const rel = relative(path);
  const lib = /^dist\/(libs\/[^/]+|apps\/[^/]+)\//.exec(rel);
  return lib ? `app:${lib[1]}` : rel;
}

/** Summarises the samples between fromUs and toUs (monotonic µs, the profile's own clock). */
export function analyse(profile, { fromUs = -Infinity, toUs = Infinity } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < fromUs || t > toUs) continue;
    // A sample's weight is the gap to the next one (the last one gets the mean interval).
    const next = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i];
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + next);
    total += next;
  }
  const fns = new Map();
  const pkgSelf = new Map();
  const pkgIncl = new Map();
  const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v);
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const where = frame.url
      ? `${relative(frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}`
      : '';
    add(fns, `${frame.functionName || '(anonymous)'} ${where}`.trim(), us);
    add(pkgSelf, packageOf(frame), us);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const pkg = packageOf(byId.get(cur).callFrame);
      if (!seen.has(pkg)) {
        seen.add(pkg);
        add(pkgIncl, pkg, us);
      }
    }
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        pct: Math.round((us / total) * 1000) / 10,
      }));
  return {
    windowMs: Math.round(total / 1000),
    selfByFunction: top(fns, TOP),
    selfByPackage: top(pkgSelf, TOP),
    inclusiveByPackage: top(pkgIncl, TOP),
  };
}

function print(title, summary, perRequestUs) {
  const out = [
    `## ${title}`,
    '',
    `window ${summary.windowMs} ms of samples${perRequestUs ? ` · ${perRequestUs}` : ''}`,
    '',
  ];
  for (const [label, rows] of [
    ['self time by function', summary.selfByFunction],
    ['self time by package', summary.selfByPackage],
    ['inclusive time by package (on the stack)', summary.inclusiveByPackage],
  ]) {
    out.push(`### ${label}`, '', '| % | ms | name |', '| ---: | ---: | --- |');
    for (const r of rows)
      out.push(`| ${r.pct.toFixed(1)} | ${r.ms} | ${r.name.replaceAll('|', '\\|')} |`);
    out.push('');
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function profileOne(server, requestId, dir) {
  const name = `${server.name}-${requestId}.cpuprofile`;
  const port = await freePort();
  const child = spawnNode(
    SERVER_CORE,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      '--cpu-prof-name',
      name,
      '--cpu-prof-interval',
      values.interval,
      '--import',
      join(ROOT, 'bench', 'lib', 'diagnose-preload.mjs'),
      // The bundle's code is the same as dist/'s: profile dist/ for readable frames.
      scriptPath(ROOT, { snapshot }, server.script ?? 'dist/apps/agent-service/src/main.js'),
    ],
    {
      cwd: server.script ? ROOT : snapshot,
      env: serverEnv(server, port),
      node: productionNode(ROOT).path,
    },
  );
  let fromUs;
  let toUs;
  let result;
  try {
    await waitHealthy(child, port);
    await sleep(1000);
    const request = autocannonRequest(requestOf(requestId));
    const now = () => Number(process.hrtime.bigint() / 1000n);
    result = await runLoad(
      {
        url: `http://127.0.0.1:${port}`,
        request,
        connections: Number(values.connections),
        duration: Number(values.seconds),
        warmup: 2,
      },
      { cwd: ROOT, onEvent: (e) => (e === 'measure-start' ? (fromUs = now()) : (toUs = now())) },
    );
  } finally {
    await stopChild(child, 8000); // a normal exit writes the profile; SIGKILL would lose it
  }
  const diagnose = /DIAGNOSE (\{.*\})/.exec(child.tail)?.[1];
  if (diagnose) process.stdout.write(`\nevent loop, in-server time, GC: ${diagnose}\n`);
  const profile = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const summary = analyse(profile, { fromUs, toUs });
  const perRequest =
    `${Math.round(result.rps)} req/s, ${result.requests} requests, ` +
    `${Math.round((summary.windowMs * 1000) / result.requests)} µs sampled CPU+idle per request`;
  print(
    `${server.name} · ${REQUESTS[requestId].method} ${REQUESTS[requestId].path} @${values.connections}`,
    summary,
    perRequest,
  );
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', `profile-${server.name}-${requestId}.json`),
    `${JSON.stringify({ server: server.name, request: requestId, rps: result.rps, profile: join(dir, name), ...summary }, null, 2)}\n`,
  );
}

async function main() {
  if (values.analyse) {
    const summary = analyse(JSON.parse(readFileSync(values.analyse, 'utf8')));
    print(values.analyse, summary);
    return;
  }
  installCleanup();
  pinSelf();
  snapshot = snapshotBuild(ROOT);
  const server = SERVERS.find((s) => s.name === values.server);
  if (!server)
    throw new Error(
      `unknown server ${values.server}; one of ${SERVERS.map((s) => s.name).join(', ')}`,
    );
  const dir = join(tmpdir(), 'ai-agent-bench-profiles');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.startsWith(`${server.name}-`)) rmSync(join(dir, f));
  for (const requestId of values.requests.split(',')) {
    if (!REQUESTS[requestId]) throw new Error(`unknown request ${requestId}`);
    await profileOne(server, requestId, dir);
  }
  process.stderr.write(`profiles in ${dir}\n`);
}

main().catch((error) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
