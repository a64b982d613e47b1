// `node bench/accept-burst.mjs`: why wrk's p99 at 64 connections was hundreds of milliseconds
// while the server answered every request within tens. A bare node:http server spends
// BENCH_BURN_US (250) µs of CPU per request, pinned to one core, listening through 1 or 8
// sockets (the service's `listen()`, SO_REUSEPORT); wrk opens 64 connections at once and loads
// it for BENCH_DURATION (6) s. libuv accepts one connection per listening socket per event-loop
// pass, so the burst of connections is admitted one pass at a time: the table shows wrk's
// p50 / p99 / max, the longest gap the server saw between answering a connection and reading
// its next request, and when the last connection of the burst was accepted.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LOAD_CORE,
  SERVER_CORE,
  freePort,
  installCleanup,
  spawnPinned,
  stopChild,
} from './lib/processes.mjs';
import { productionNode } from './lib/servers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const burnUs = Number(process.env.BENCH_BURN_US ?? 250);
const duration = Number(process.env.BENCH_DURATION ?? 6);

if (process.argv[2] === '--serve') {
  // The server side, in its own pinned process.
  const { listen } = await import(join(root, 'dist/libs/platform/src/lifecycle/listen.js'));
  const acceptors = Number(process.argv[3]);
  let firstAccept;
  let lastAccept = 0;
  let longestGap = 0;
  const server = createServer((req, res) => {
    const socket = req.socket;
    if (socket.answeredAt) longestGap = Math.max(longestGap, performance.now() - socket.answeredAt);
    req.resume();
    req.on('end', () => {
      const end = performance.now() + burnUs / 1000;
      while (performance.now() < end);
      res.end('{"ok":true}');
      socket.answeredAt = performance.now();
    });
  });
  server.on('connection', () => {
    firstAccept ??= performance.now();
    lastAccept = performance.now() - firstAccept;
  });
  await listen(server, { port: Number(process.argv[4]), host: '127.0.0.1', acceptors });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    process.stdout.write(`${JSON.stringify({ lastAccept, longestGap })}\n`);
    process.exit(0);
  });
} else {
  installCleanup();
  const node = productionNode(root).path;
  console.log(
    `bare node:http, ${burnUs} µs of CPU per request, wrk -c64 for ${duration} s, ${node}\n`,
  );
  console.log(
    '| listening sockets | wrk p50 / p99 / max ms | longest gap seen by the server ms | last of 64 connections accepted after ms |',
  );
  console.log('|--:|--:|--:|--:|');
  for (const acceptors of [1, 8]) {
    const port = await freePort();
    const server = spawnPinned(
      SERVER_CORE,
      node,
      [fileURLToPath(import.meta.url), '--serve', String(acceptors), String(port)],
      { keepStdout: true },
    );
    let out = '';
    server.stdout.on('data', (chunk) => (out += chunk));
    while (!out.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 20));
    const wrk = spawnSync(
      'taskset',
      [
        '-c',
        LOAD_CORE,
        'wrk',
        '-t1',
        '-c64',
        `-d${duration}s`,
        '--latency',
        `http://127.0.0.1:${port}/`,
      ],
      { encoding: 'utf8', timeout: (duration + 30) * 1000 },
    );
    await stopChild(server);
    const seen = JSON.parse(out.trim().split('\n').at(-1));
    const pick = (label) => new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(wrk.stdout);
    const ms = (match) =>
      match ? Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]] : NaN;
    const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/.exec(wrk.stdout);
    console.log(
      `| ${acceptors} | ${[ms(pick('50%')), ms(pick('99%')), ms(max)].map((v) => v.toFixed(0)).join(' / ')} | ${seen.longestGap.toFixed(0)} | ${seen.lastAccept.toFixed(0)} |`,
    );
  }
}
