// Instructions per request, counted by valgrind (callgrind): the same build, inputs and settings
// give the same count whatever else the machine is doing, where CPU time on a shared machine
// moves by ±30 % between runs. For A/B comparisons of builds, not for the headline figures
// (valgrind runs the process ~50× slower; timing-dependent work such as concurrent GC is counted
// as valgrind schedules it).
//
//   node bench/instructions.mjs                         the current build (nest build first)
//   node bench/instructions.mjs DIR_A DIR_B             bundles made by docker/bundle.mjs --out
//   options: --request query-miss|query|health  --requests 2500  --warmup 500  --connections 64
//            --node-args "--single-threaded" (the default; "" for V8's helper threads)
//
// Each bundle runs twice under valgrind, side by side: warm-up only, and warm-up then the
// measured requests; the difference over the measured count is the per-request figure, start-up
// and warm-up cancelled out. Runs with the image's node flags and allocator settings.
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  LOAD_CORE,
  SERVER_CORE,
  freePort,
  installCleanup,
  spawnPinned,
  waitHealthy,
} from './lib/processes.mjs';
import { imageRuntime } from './lib/image-runtime.mjs';
import { autocannonRequest } from './lib/measure.mjs';
import { productionNode } from './lib/servers.mjs';
import { bundleBuild } from './lib/snapshot.mjs';
import { REQUESTS, serverEnv } from './scenarios.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    request: { type: 'string', default: 'query-miss' },
    requests: { type: 'string', default: '2500' },
    warmup: { type: 'string', default: '500' },
    connections: { type: 'string', default: '64' },
    // V8's helper threads (concurrent compilation and marking) run when the OS schedules them,
    // which moves the count between runs: by default they run on the main thread instead.
    'node-args': { type: 'string', default: '--single-threaded' },
  },
});
const REQUEST = REQUESTS[values.request];
if (!REQUEST) throw new Error(`unknown request ${values.request}`);
const MEASURED = Number(values.requests);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('valgrind is not installed (apt-get install valgrind)');
  process.exit(2);
}

/** Exactly `amount` requests, `CONNECTIONS` at a time on keep-alive connections (autocannon). */
async function load(port, amount) {
  const request = autocannonRequest(REQUEST);
  const result = await autocannon({
    ...request,
    url: new URL(request.path, `http://127.0.0.1:${port}`).href,
    connections: Math.min(CONNECTIONS, amount),
    amount,
    // valgrind runs the server ~50× slower.
    timeout: 120,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${failed} of ${amount} requests failed`);
}

/** Instructions for start-up + `warmup` + `measured` requests of one bundle. */
async function count(bundle, node, image, core, warmup, measured) {
  const port = await freePort();
  const env = { ...image.env, ...serverEnv({ env: {} }, port) };
  const args = [
    '--tool=callgrind',
    '--smc-check=all-non-file',
    '--callgrind-out-file=/dev/null',
    node,
    ...image.nodeArgs,
    ...values['node-args'].split(/\s+/).filter(Boolean),
    join(bundle, 'main.mjs'),
  ];
  // The two runs of a bundle go side by side, one per core; valgrind's summary ends on stderr.
  const child = spawnPinned(core, 'valgrind', args, { cwd: bundle, env, stdoutFile: '/dev/null' });
  await waitHealthy(child, port, { intervalMs: 250, timeoutMs: 300_000 });
  if (warmup > 0) await load(port, warmup);
  if (measured > 0) await load(port, measured);
  child.kill('SIGTERM');
  await child.exited;
  const stderr = child.tail;
  const total = /Collected : (\d+)/.exec(stderr)?.[1];
  if (!total) throw new Error(`no instruction count from valgrind: ${stderr.slice(-400)}`);
  return Number(total);
}

// valgrind children are stopped however this ends (an error thrown mid-run included).
installCleanup();
const node = productionNode(ROOT).path;
const bundles = positionals.length > 0 ? positionals.map((p) => resolve(p)) : [bundleBuild(ROOT)];
for (const bundle of bundles) {
  if (!existsSync(join(bundle, 'main.mjs'))) throw new Error(`no main.mjs in ${bundle}`);
}
const rows = [];
for (const bundle of bundles) {
  const image = imageRuntime(ROOT, {
    memoryLimitMiB: 512,
    compileCacheDir: mkdtempSync(join(tmpdir(), 'ai-agent-instructions-cc-')),
  });
  // Fills the compile cache first, as the image's build does, so both runs start alike.
  await count(bundle, node, image, SERVER_CORE, 1, 0);
  const [base, full] = await Promise.all([
    count(bundle, node, image, SERVER_CORE, WARMUP, 0),
    count(bundle, node, image, LOAD_CORE, WARMUP, MEASURED),
  ]);
  const perRequest = (full - base) / MEASURED;
  rows.push({ bundle, perRequest });
  console.log(
    `${bundle}: ${Math.round(perRequest).toLocaleString('en')} instructions per ${values.request} ` +
      `(${CONNECTIONS} connections, ${MEASURED} requests after ${WARMUP}; start-up + warm-up ${(base / 1e9).toFixed(2)} G)`,
  );
}
if (rows.length > 1) {
  for (const row of rows.slice(1)) {
    const change = (row.perRequest / rows[0].perRequest - 1) * 100;
    console.log(
      `${row.bundle} vs ${rows[0].bundle}: ${change >= 0 ? '+' : ''}${change.toFixed(1)} %`,
    );
  }
}
