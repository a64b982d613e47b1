// `node bench/adversarial.mjs` (after `npm run build`): can a few clients sending the costliest
// prompts the body limit allows starve the liveness probe or grow memory? Runs the production
// bundle on Node 24 with the image's runtime settings, pinned to one core; on the other core,
// BENCH_ATTACKERS (4) clients send 100 kB prompts of the tokenizer's worst shapes (unique per
// request, so the cache never answers) back to back for BENCH_ADVERSARIAL_SECONDS (30), while a
// kubelet-style probe opens a new connection to GET /health every 20 ms. Prints the probe's
// p50 / p99 / max, the attack's answers and the server's peak RSS. BENCH_NODE_ARGS adds flags.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageRuntime } from './lib/image-runtime.mjs';
import {
  SERVER_CORE,
  freePort,
  installCleanup,
  memory,
  pinSelf,
  spawnPinned,
  stopChild,
  waitHealthy,
} from './lib/processes.mjs';
import { productionNode } from './lib/servers.mjs';
import { bundleBuild, snapshotBuild } from './lib/snapshot.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_ADVERSARIAL_SECONDS ?? 30);
const attackers = Number(process.env.BENCH_ATTACKERS ?? 4);
const PROMPT_BYTES = 99_000; // the body limit is 100 kB: room for the JSON around the prompt
const SHAPES = ['run of spaces', 'one long word', 'run of digits', 'random base64', 'emoji'];

if (!existsSync(join(root, 'dist', 'libs', 'agent', 'src', 'tokens', 'adversarial-texts.js'))) {
  console.error('dist/ is missing: run "npm run build" first');
  process.exit(1);
}
installCleanup();
pinSelf();
const { adversarialTexts } = await import(
  new URL('../dist/libs/agent/src/tokens/adversarial-texts.js', import.meta.url).href
);
const texts = adversarialTexts(PROMPT_BYTES);
const prompts = SHAPES.map((shape) => texts[shape]);

function send(port, { method = 'GET', path, body }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(
      { host: '127.0.0.1', port, path, method, agent: false, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve({ status: 0, ms: performance.now() - started }));
    if (body) req.setHeader('content-type', 'application/json');
    req.end(body);
  });
}

const snapshot = snapshotBuild(root);
const bundle = bundleBuild(root, snapshot);
const node = productionNode(root);
const runtime = imageRuntime(root, { memoryLimitMiB: 512, compileCacheDir: join(bundle, '.cc') });
const port = await freePort();
// BENCH_NODE_ARGS adds node flags (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
const extraArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const args = [...runtime.nodeArgs, ...extraArgs, join(bundle, 'main.mjs')];
const server = spawnPinned(SERVER_CORE, node.path, args, {
  cwd: bundle,
  env: { ...runtime.env, PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1' },
  stdoutFile: '/dev/null',
});
await waitHealthy(server, port);
await send(port, { method: 'POST', path: '/query', body: '{"prompt":"load the tokenizer"}' });

const deadline = performance.now() + seconds * 1000;
const statuses = {};
let peakMiB = 0;
const sampler = setInterval(() => {
  peakMiB = Math.max(peakMiB, memory(server.pid).rssMiB);
}, 100);
let sent = 0;
async function attack(id) {
  for (let i = 0; performance.now() < deadline; i++) {
    const prompt = `${prompts[(id + i) % prompts.length].slice(0, -12)}${String(sent++).padStart(12)}`;
    const { status } = await send(port, {
      method: 'POST',
      path: '/query',
      body: JSON.stringify({ prompt }),
    });
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}
async function probe() {
  const ms = [];
  while (performance.now() < deadline) {
    const result = await send(port, { path: '/health' });
    ms.push(result.status === 200 ? result.ms : Number.POSITIVE_INFINITY);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return ms.sort((a, b) => a - b);
}
const [probes] = await Promise.all([
  probe(),
  ...Array.from({ length: attackers }, (_, id) => attack(id)),
]);
clearInterval(sampler);
await stopChild(server, 10_000);

const at = (q) => probes[Math.min(probes.length - 1, Math.floor(q * probes.length))].toFixed(1);
console.log(
  `${attackers} clients × ${PROMPT_BYTES / 1000} kB prompts (${SHAPES.join(', ')}) for ${seconds} s on ${node.path}`,
);
console.log(`attack answers by status: ${JSON.stringify(statuses)}`);
console.log(
  `GET /health, new connection every 20 ms: ${probes.length} probes, p50 ${at(0.5)} / p99 ${at(0.99)} / max ${probes.at(-1).toFixed(1)} ms`,
);
console.log(`server peak RSS: ${peakMiB.toFixed(0)} MiB`);
// What the extra flags printed (e.g. bench/lib/diagnose-preload.mjs's loop and GC figures).
if (extraArgs.length > 0 && server.tail.trim()) console.log(server.tail.trim());
