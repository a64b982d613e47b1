// Starting the servers under test: the production bundle on the production Node, the FastAPI
// peer as it ships, and plain scripts; cold starts; a sanity check of what they answer.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  SERVER_CORE,
  freePort,
  http,
  killChild,
  spawnPinned,
  stopChild,
  waitHealthy,
} from './processes.mjs';
import { serverEnv } from '../scenarios.mjs';

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const PEER_PACKAGES = 'python3-fastapi python3-uvicorn python3-uvloop python3-httptools';
const logs = mkdtempSync(join(tmpdir(), 'ai-agent-bench-logs-'));
process.on('exit', () => rmSync(logs, { recursive: true, force: true }));

/** The Node the production image runs: BENCH_NODE, else bench/node24.sh's official binary. */
export function productionNode(root) {
  if (process.env.BENCH_NODE) return { path: process.env.BENCH_NODE };
  try {
    const path = execFileSync('bash', [join(root, 'bench', 'node24.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    }).trim();
    return { path };
  } catch (error) {
    return {
      path: process.execPath,
      note: `bench/node24.sh failed (${String(error.stderr ?? error.message)
        .trim()
        .slice(0, 200)}): servers ran on ${process.version}, not the image's Node`,
    };
  }
}

/**
 * The FastAPI service this project replaces, from ../shared/peers/fastapi-seed (BENCH_PEER_DIR),
 * run as it shipped. Returns { dir } or { missing: reason } — the bench installs nothing.
 */
export function findPeer(root) {
  const dir = resolve(
    process.env.BENCH_PEER_DIR ?? join(root, '..', 'shared', 'peers', 'fastapi-seed'),
  );
  if (!existsSync(join(dir, 'main.py'))) {
    return {
      missing: `no FastAPI peer at ${dir} (set BENCH_PEER_DIR to its folder): peer rows skipped`,
    };
  }
  try {
    execFileSync(PYTHON, ['-c', 'import fastapi, uvicorn, uvloop, httptools'], {
      stdio: 'ignore',
      timeout: 20_000,
    });
  } catch {
    return {
      missing: `${PYTHON} lacks FastAPI/uvicorn/uvloop/httptools: install them with \`apt-get install -y ${PEER_PACKAGES}\`; peer rows skipped`,
    };
  }
  return {
    dir,
    version: execFileSync(
      PYTHON,
      [
        '-c',
        'import fastapi, uvicorn, sys; print(f"FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__}, Python {sys.version.split()[0]}")',
      ],
      { encoding: 'utf8' },
    ).trim(),
  };
}

/** Spawns one server pinned to the server core; resolves { child, port, readyMs }. */
export async function startServer(server, ctx) {
  const port = await freePort();
  // The bundle also gets the image's runtime settings (MALLOC_ARENA_MAX…), unless the row is
  // there to compare without them.
  const image = server.kind === 'bundle' && !server.plainNode;
  const env = { ...(image ? ctx.imageEnv : {}), ...serverEnv(server, port) };
  // The liveness listener the image opens on LIVENESS_PORT, on a free port here.
  const livenessPort = server.livenessPort ? await freePort() : undefined;
  if (livenessPort) env.LIVENESS_PORT = String(livenessPort);
  const nodeArgs = server.plainNode ? [] : (ctx.nodeArgs ?? []);
  const stdoutFile = join(logs, `${server.name.replace(/\W+/g, '-')}.log`);
  const since = performance.now();
  let child;
  if (server.kind === 'peer') {
    const args = [
      '-m',
      'uvicorn',
      'main:app',
      '--app-dir',
      ctx.peer.dir,
      '--loop',
      'uvloop',
      '--http',
      'httptools',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ];
    child = spawnPinned(SERVER_CORE, PYTHON, args, {
      cwd: ctx.peer.dir,
      env: { PATH: env.PATH, HOME: env.HOME },
      stdoutFile,
    });
  } else {
    const script =
      server.kind === 'bundle' ? join(ctx.bundle, 'main.mjs') : join(ctx.root, server.script);
    child = spawnPinned(SERVER_CORE, ctx.node, [...nodeArgs, script], {
      cwd: server.kind === 'bundle' ? ctx.bundle : ctx.root,
      env,
      stdoutFile,
    });
  }
  const readyMs = await waitHealthy(child, port, { since, intervalMs: 2 });
  return { child, port, livenessPort, readyMs };
}

/** Spawn → first 200 from /health, `runs` times; the median and the spread. */
export async function coldStart(server, ctx, runs) {
  const runsMs = [];
  for (let i = 0; i < runs; i++) {
    const { child, readyMs } = await startServer(server, ctx);
    runsMs.push(Math.round(readyMs * 10) / 10);
    await killChild(child);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return {
    runsMs,
    medianMs: sorted[Math.floor(sorted.length / 2)],
    minMs: sorted[0],
    maxMs: sorted.at(-1),
  };
}

/** One /health and two identical /query requests: status, shape and the cache status of each. */
export async function sanityCheck(port) {
  const parse = (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const health = await http(port, '/health');
  const ask = () =>
    http(port, '/query', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hello there', max_tokens: 100 }),
    });
  const first = await ask();
  const second = await ask();
  const problems = [];
  if (health.status !== 200 || parse(health.body)?.status !== 'healthy')
    problems.push(`/health answered ${health.status}`);
  const body = parse(first.body);
  if (first.status !== 200 || body?.response !== 'Processed: hello there')
    problems.push(`/query answered ${first.status}`);
  return {
    ok: problems.length === 0,
    note: problems.join('; ') || undefined,
    xCache: [first.headers['x-cache'] ?? null, second.headers['x-cache'] ?? null],
  };
}

/**
 * Fills the compile cache the image fills at build time: one start of the bundle, one /query
 * (it loads the tokenizer), then a clean stop, on which Node writes the cache.
 */
export async function fillCompileCache(ctx) {
  const { child, port } = await startServer({ name: 'compile-cache', kind: 'bundle' }, ctx);
  await http(port, '/query', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'warm up' }),
  });
  await stopChild(child, 10_000);
}
