// One load measurement, run by bench/run.mjs as its own (pinned) process.
// argv[2]: JSON { url, request: {method, path, headers?, body?, idReplacement?, tallyHeader?},
//                 connections, duration (s), warmup (s), mode?: 'probe', gapMs? }
// mode 'probe': one request at a time on a new connection each (as kubelet probes), no autocannon.
// stdout: JSON lines — {"event":"measure-start"}, {"event":"measure-end"}, {"event":"result",...}.
// Latencies are recorded at µs resolution from autocannon's per-response event: its own
// histogram keeps whole milliseconds, too coarse for sub-millisecond p50s.
import autocannon from 'autocannon';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const config = JSON.parse(process.argv[2]);
const emit = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

function options(duration) {
  const { method, path, headers = {}, body, idReplacement = false, tallyHeader } = config.request;
  const base = {
    url: new URL(path, config.url).href,
    method,
    headers,
    body,
    connections: config.connections,
    pipelining: 1,
    duration,
    timeout: 10,
    idReplacement,
  };
  if (!tallyHeader) return { base, tally: undefined };
  const tally = {};
  const name = tallyHeader.toLowerCase();
  base.requests = [
    {
      method,
      path,
      headers,
      body,
      onResponse: (_status, _body, _context, responseHeaders) => {
        const key = Object.keys(responseHeaders).find((k) => k.toLowerCase() === name);
        const value = key === undefined ? '(none)' : String(responseHeaders[key]);
        tally[value] = (tally[value] ?? 0) + 1;
      },
    },
  ];
  return { base, tally };
}

function run(duration, onLatency) {
  const { base, tally } = options(duration);
  return new Promise((resolve, reject) => {
    const tracker = autocannon(base, (error, result) =>
      error ? reject(error) : resolve({ result, tally }),
    );
    if (onLatency) {
      tracker.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) onLatency(responseTime);
      });
    }
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const MAX_SAMPLES = 20_000_000;
let samples = new Float64Array(1 << 16);
let count = 0;
// The slowest responses with their offset into the run: stalls that hit every connection at
// once (a pause of the server or of the machine) show up as a cluster at one offset.
const SLOW_MS = 250;
const slow = [];
let measureStarted = 0;
function record(ms) {
  if (ms >= SLOW_MS && slow.length < 100) {
    slow.push({ atMs: Math.round(performance.now() - measureStarted - ms), ms: Math.round(ms) });
  }
  if (count === samples.length) {
    if (count >= MAX_SAMPLES) return;
    const grown = new Float64Array(count * 2);
    grown.set(samples);
    samples = grown;
  }
  samples[count++] = ms;
}

/**
 * A probe as kubelet sends one: a new connection per request, one at a time, `gapMs` apart.
 * Returns what autocannon's result would have, for the fields used.
 */
async function probe(durationS) {
  const { method, path, headers = {} } = config.request;
  const url = new URL(path, config.url);
  const statusCodeStats = {};
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let total = 0;
  const started = performance.now();
  while (performance.now() - started < durationS * 1000) {
    const t0 = performance.now();
    const status = await new Promise((resolve) => {
      const req = request(url, { method, headers, agent: false, timeout: 10_000 }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode));
        res.once('error', () => resolve('error'));
      });
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', (e) => resolve(e.message === 'timeout' ? 'timeout' : 'error'));
      req.end();
    });
    const ms = performance.now() - t0;
    total++;
    if (status === 'error') errors++;
    else if (status === 'timeout') timeouts++;
    else {
      statusCodeStats[status] = { count: (statusCodeStats[status]?.count ?? 0) + 1 };
      if (status >= 200 && status < 300) record(ms);
      else non2xx++;
    }
    await sleep(config.gapMs ?? 20);
  }
  const duration = (performance.now() - started) / 1000;
  return {
    result: { duration, requests: { total }, errors, timeouts, non2xx, statusCodeStats },
    tally: undefined,
  };
}

try {
  if (config.warmup > 0) await run(config.warmup);
  emit({ event: 'measure-start' });
  measureStarted = performance.now();
  const { result, tally } =
    config.mode === 'probe' ? await probe(config.duration) : await run(config.duration, record);
  emit({ event: 'measure-end' });
  const sorted = samples.subarray(0, count).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const round = (v) => (v === null ? null : Math.round(v * 1000) / 1000);
  emit({
    event: 'result',
    connections: config.connections,
    durationS: result.duration,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    latencyMs: {
      mean: round(count ? sum / count : null),
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(percentile(sorted, 100)),
      samples: count,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]),
    ),
    ...(tally ? { tally } : {}),
    // kubelet's default probe timeoutSeconds is 1: these would have failed a liveness probe.
    over1s: sorted.filter((v) => v > 1000).length,
    slowResponses: slow,
  });
} catch (error) {
  emit({ event: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
