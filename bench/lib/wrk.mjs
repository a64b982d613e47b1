// wrk (C, one thread, pinned to the load core) driven by a generated Lua script: the request
// (unique bodies where asked) and a done() hook that prints the numbers as JSON.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOAD_CORE, killChild, spawnPinned } from './processes.mjs';

export const UNIQUE_MARK = '[<id>]';
const dir = mkdtempSync(join(tmpdir(), 'ai-agent-bench-wrk-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** wrk's path, or undefined with the reason when it is not installed. */
export function findWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 after printing its version: only ENOENT means it is missing.
    if (error.code === 'ENOENT') return undefined;
  }
  return 'wrk';
}

const lua = (s) => JSON.stringify(s); // a JSON string is a valid Lua string literal here

function script({ method, headers = {}, body, unique }) {
  const lines = [`wrk.method = ${lua(method)}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`wrk.headers[${lua(k)}] = ${lua(v)}`);
  if (body !== undefined && !unique) lines.push(`wrk.body = ${lua(body)}`);
  if (unique) {
    // A nonce per measurement: unique prompts stay unique across measurements (cache misses).
    const [head, tail] = body.split(UNIQUE_MARK);
    lines.push(
      `local head, tail, nonce, n = ${lua(head)}, ${lua(tail)}, ${lua(randomBytes(6).toString('hex'))}, 0`,
      'request = function()',
      '  n = n + 1',
      '  return wrk.format(nil, nil, nil, head .. nonce .. "-" .. n .. tail)',
      'end',
    );
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'\\nWRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,' +
      '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"mean":%f,"p50":%d,"p90":%d,' +
      '"p99":%d,"p999":%d,"max":%d}\\n\', summary.requests, summary.duration, summary.bytes,' +
      ' e.connect, e.read, e.write, e.status, e.timeout, latency.mean,' +
      ' latency:percentile(50), latency:percentile(90), latency:percentile(99),' +
      ' latency:percentile(99.9), latency.max))',
    'end',
  );
  return lines.join('\n');
}

/**
 * One wrk run: warm-up, then the measured window. `onEvent('measure-start'|'measure-end', pid)`
 * brackets the measured run for CPU accounting. Resolves the same shape as bench/load.mjs.
 */
export async function runWrk(config, { onEvent = () => {} } = {}) {
  const file = join(dir, `${randomBytes(4).toString('hex')}.lua`);
  writeFileSync(file, script(config.request));
  const url = new URL(config.request.path, config.url).href;
  const run = async (seconds, measured) => {
    const child = spawnPinned(
      LOAD_CORE,
      'wrk',
      ['-t1', `-c${config.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', file, url],
      { keepStdout: true },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    if (measured) onEvent('measure-start', child.pid);
    const timer = setTimeout(() => void killChild(child), (seconds + 30) * 1000);
    // Read the CPU counters while wrk still exists (its /proc entry goes with it).
    const ended = new Promise((resolve) => child.stdout.once('end', resolve));
    await ended;
    if (measured) onEvent('measure-end', child.pid);
    await child.exited;
    clearTimeout(timer);
    const json = /WRK_JSON (\{.*\})/.exec(out)?.[1];
    if (!json) throw new Error(`wrk failed: ${child.tail || out.slice(-500)}`);
    return JSON.parse(json);
  };
  if (config.warmup > 0) await run(Math.max(1, Math.round(config.warmup)), false);
  const r = await run(config.duration, true);
  const durationS = r.durationUs / 1e6;
  const ms = (us) => Math.round(us) / 1000;
  const errors = r.connect + r.read + r.write;
  return {
    generator: 'wrk',
    connections: config.connections,
    durationS,
    requests: r.requests,
    rps: r.requests / durationS,
    latencyMs: {
      mean: ms(r.mean),
      p50: ms(r.p50),
      p90: ms(r.p90),
      p99: ms(r.p99),
      p999: ms(r.p999),
      max: ms(r.max),
      samples: r.requests,
    },
    errors,
    timeouts: r.timeout,
    non2xx: r.status,
    statusCodes: {},
  };
}
