// Markdown rendering of a bench run and its insertion into docs/benchmarks.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { evaluateTargets } from './targets.mjs';
import { NOISE } from './measure.mjs';
import { LOADS, REQUESTS } from '../scenarios.mjs';

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

const dash = '–';
const int = (v) => (v == null || Number.isNaN(v) ? dash : Math.round(v).toLocaleString('en-US'));
const ms = (v) =>
  v == null || Number.isNaN(v)
    ? dash
    : v < 10
      ? v.toFixed(2)
      : v < 100
        ? v.toFixed(1)
        : String(Math.round(v));
const mib = (v) => (v == null || Number.isNaN(v) ? dash : v.toFixed(1));
const x = (v) => (v == null || !Number.isFinite(v) ? dash : `${v.toFixed(2)}×`);
const pct = (v) => (v == null || Number.isNaN(v) ? dash : `${Math.round(v * 100)} %`);
const mark = (ok) => (ok == null ? '➖' : ok ? '✅' : '❌');
const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

const byName = (results, name) => results.servers.find((s) => s.name === name);
const loadOf = (server, id) => server?.loads.find((l) => l.id === id);
const flag = (l) =>
  [(l.cpu?.noise ?? 0) > NOISE ? '†' : '', (l.cpu?.loadGenUtilisation ?? 0) > 0.9 ? '‡' : ''].join(
    '',
  );
const errs = (l) => {
  const e = (l.errors ?? 0) + (l.timeouts ?? 0) + (l.non2xx ?? 0);
  return e ? ` (${int(e)} errors)` : '';
};
function describeLoad(load) {
  const r = REQUESTS[load.request];
  const what =
    {
      health: 'GET /health',
      query: 'POST /query, cache hit',
      'query-miss': 'POST /query, cache miss',
      'prompt-100B': 'POST /query, 100 B prompt (miss)',
      'prompt-10kB': 'POST /query, 10 kB prompt (miss)',
      'prompt-100kB': 'POST /query, 100 kB prompt (miss)',
      'history-first': 'GET /queries, newest page of 50',
      'history-deep': 'GET /queries, page 900 000 rows deep',
    }[load.request] ?? `${r.method} ${r.path}`;
  return `${what} @${load.connections}`;
}

function targetsSection(results) {
  const rows = (results.evaluation ?? evaluateTargets(results)).map((t) => [
    mark(t.ok),
    t.name,
    t.target,
    t.value == null
      ? dash
      : t.unit === '×'
        ? x(t.value)
        : `${t.unit === 'MiB' ? mib(t.value) : t.unit === 'µs' ? int(t.value) : ms(t.value)} ${t.unit}`,
    t.detail || '',
  ]);
  return `### Targets\n\n${table(['', 'target', 'goal', 'measured', 'service vs peer'], rows)}`;
}

function comparison(results) {
  const service = byName(results, 'service');
  const peer = byName(results, 'peer');
  const rows = LOADS.filter(
    (l) => l.generator === 'wrk' && (loadOf(service, l.id) || loadOf(peer, l.id)),
  ).map((l) => {
    const a = loadOf(service, l.id);
    const b = loadOf(peer, l.id);
    return [
      describeLoad(l),
      a ? `${int(a.rps)}${flag(a)}${errs(a)}` : dash,
      b ? `${int(b.rps)}${flag(b)}${errs(b)}` : dash,
      a && b ? x(a.rps / b.rps) : dash,
      a ? `${ms(a.latencyMs.p50)} / ${ms(a.latencyMs.p99)}` : dash,
      b ? `${ms(b.latencyMs.p50)} / ${ms(b.latencyMs.p99)}` : dash,
      a ? int(a.cpu?.usPerRequest) : dash,
      b ? int(b.cpu?.usPerRequest) : dash,
    ];
  });
  return `### Service vs peer (wrk, one thread)\n\n${table(['load', 'service req/s', 'peer req/s', 'ratio', 'service p50 / p99 ms', 'peer p50 / p99 ms', 'service CPU µs/req', 'peer CPU µs/req'], rows)}\n\n![POST /query throughput and p99 by connections](benchmarks-connections.svg)`;
}

function generators(results) {
  const rows = [];
  for (const name of ['service', 'peer']) {
    const s = byName(results, name);
    for (const l of LOADS.filter((l) => l.generator === 'autocannon')) {
      const ac = loadOf(s, l.id);
      const wrk = loadOf(s, `${l.request}@${l.connections}`);
      if (!ac || !wrk) continue;
      rows.push([
        `${name}: ${describeLoad(l)}`,
        `${int(wrk.rps)} / ${ms(wrk.latencyMs.p99)} / ${pct(wrk.cpu?.loadGenUtilisation)}`,
        `${int(ac.rps)} / ${ms(ac.latencyMs.p99)} / ${pct(ac.cpu?.loadGenUtilisation)}`,
        x(ac.rps / wrk.rps),
      ]);
    }
  }
  if (rows.length === 0) return '';
  return `### wrk vs autocannon\n\n${table(['load', 'wrk req/s / p99 ms / its CPU', 'autocannon req/s / p99 ms / its CPU', 'autocannon ÷ wrk'], rows)}`;
}

function variants(results) {
  const rows = [];
  for (const s of results.servers.filter((s) => s.role === 'variant' || s.role === 'reference')) {
    for (const l of s.loads) {
      const uncached = s.env?.CACHE_TTL_SECONDS === '0' && l.request === 'query';
      rows.push([
        s.name,
        uncached ? `POST /query, fixed prompt, no cache @${l.connections}` : describeLoad(l),
        `${int(l.rps)}${flag(l)}${errs(l)}`,
        `${ms(l.latencyMs.p50)} / ${ms(l.latencyMs.p99)}`,
        int(l.cpu?.usPerRequest),
      ]);
    }
  }
  const pg = results.servers.find((s) => s.history);
  const note = pg
    ? `\n\n${int(pg.history.rows)} history rows generated with \`generate_series\` in ${pg.history.seconds.toFixed(1)} s into a throwaway database (dropped at the end).`
    : '';
  return rows.length
    ? `### Variants and history pagination\n\n${table(['server', 'load', 'req/s', 'p50 / p99 ms', 'CPU µs/req'], rows)}${note}`
    : '';
}

function memoryAndStart(results) {
  const rows = results.servers
    .filter((s) => s.idle)
    .map((s) => [
      s.name,
      s.coldStart
        ? `${int(s.coldStart.medianMs)} (${int(s.coldStart.minMs)}–${int(s.coldStart.maxMs)})`
        : dash,
      mib(s.idle?.rssMiB),
      mib(s.afterLoad?.rssMiB),
      mib(s.afterLoad?.hwmMiB),
    ]);
  return `### Start-up and memory\n\n${table(['server', 'cold start ms, median (range)', 'idle RSS MiB', 'RSS after loads MiB', 'peak RSS MiB'], rows)}`;
}

function saturationSection(results) {
  const rows = results.servers
    .filter((s) => s.saturation)
    .map((s) => {
      const { load, probe, livenessProbe } = s.saturation;
      const latency = (p) =>
        p ? `${ms(p.latencyMs.p50)} / ${ms(p.latencyMs.p99)} / ${ms(p.latencyMs.max)}` : '–';
      return [s.name, int(load.rps), latency(probe), latency(livenessProbe), int(probe.requests)];
    });
  return rows.length
    ? `### /health while /query saturates\n\n${table(['server', '/query req/s (wrk, 64 conns)', 'main port: /health p50 / p99 / max ms', 'liveness port: p50 / p99 / max ms', 'probes'], rows)}\n\nEach probe opens a new connection per request, one at a time, 20 ms apart, as kubelet does. The liveness port (\`LIVENESS_PORT\`, what the Kubernetes manifests' liveness probe uses) is served by a thread of its own.`
    : '';
}

/** The generated block of docs/benchmarks.md. */
export function renderMarkdown(results) {
  const m = results.meta;
  const peer = m.peer?.version
    ? `peer: ${m.peer.version}`
    : `peer: ${m.peer?.missing ?? 'not run'}`;
  const busy = m.loadAverage && Math.max(m.loadAverage.start, m.loadAverage.end) > 1.5;
  const head = [
    `_Run ${m.date} · servers on Node ${m.serverNode}${m.nodeArgs?.length ? ` ${m.nodeArgs.join(' ')}` : ''}${
      Object.keys(m.imageEnv ?? {}).length
        ? ` with ${Object.entries(m.imageEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    } (bench and autocannon on ${m.benchNode}) · ${peer} · ${m.cpu} (${m.cores} cores) · ${m.pinned ? 'servers on core 0, load generators on core 1' : 'NOT pinned'} · ${m.durationS} s per measurement after ${m.warmupS} s warm-up · ${Math.round(m.totalS / 60)} min in all._`,
    m.nodeNote ? `_${m.nodeNote}._` : '',
    busy
      ? `_The machine was busy (load average ${m.loadAverage.start.toFixed(1)} at the start, ${m.loadAverage.end.toFixed(1)} at the end, on ${m.cores} cores): absolute numbers are low and noisy; the ratios come from measurements taken back to back._`
      : '',
    '_† more than 20 % of a core went to other processes during the measurement, even after retries. ‡ the load generator used more than 90 % of its core: the row may understate the server._',
    ...(results.skipped ?? []).map((k) => `_${k.name} not run: ${k.reason}._`),
  ].filter(Boolean);
  return [
    head.join('\n\n'),
    targetsSection(results),
    comparison(results),
    generators(results),
    saturationSection(results),
    variants(results),
    memoryAndStart(results),
  ]
    .filter(Boolean)
    .join('\n\n');
}

const TEMPLATE = `# Benchmarks\n\n${START}\n${END}\n`;

/** Replaces the generated block of the doc (between the markers) and formats it. */
export async function writeDoc(path, block) {
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : TEMPLATE;
  if (!doc.includes(START) || !doc.includes(END)) doc = `${doc.trimEnd()}\n\n${START}\n${END}\n`;
  const before = doc.slice(0, doc.indexOf(START) + START.length);
  const after = doc.slice(doc.indexOf(END));
  let text = `${before}\n\n${block}\n\n${after}`;
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(path)) ?? {};
    text = await prettier.format(text, { ...options, filepath: path });
  } catch (error) {
    process.stderr.write(`bench: ${path} left unformatted (${error.message})\n`);
  }
  writeFileSync(path, text);
}
