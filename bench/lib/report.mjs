// Markdown rendering of a bench run and its insertion into docs/benchmarks.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

const dash = '–';
const int = (v) => (v == null || Number.isNaN(v) ? dash : Math.round(v).toLocaleString('en-US'));
const ms = (v) => {
  if (v == null || Number.isNaN(v)) return dash;
  if (v < 1) return v.toFixed(3);
  if (v < 10) return v.toFixed(2);
  return v.toFixed(1);
};
const mib = (v) => (v == null || Number.isNaN(v) ? dash : v.toFixed(1));
const ratio = (v) => (v == null || Number.isNaN(v) ? dash : `${v.toFixed(2)}×`);
const pct = (v) => (v == null || Number.isNaN(v) ? dash : `${Math.round(v * 100)}%`);
const mark = (ok) => (ok == null ? '' : ok ? '✅' : '❌');
const failures = (r) => {
  const errors = (r.errors ?? 0) + (r.timeouts ?? 0);
  const seen = Object.entries(r.tally ?? {}).filter(([value]) => value !== '(none)');
  const tally = seen.length ? ` (${seen.map(([k, v]) => `${k} ${int(v)}`).join(', ')})` : '';
  return `${errors} / ${r.non2xx ?? 0}${tally}`;
};
const NOISE = 0.2;
const noisy = (cpu) => (cpu?.noise ?? 0) > NOISE;
const row = (cells) => `| ${cells.join(' | ')} |`;

/** Adds, to every load result, its ratio to the floor and to the estimated seed. */
export function addRatios(results, requests) {
  const byRole = (role) => results.servers.find((s) => s.role === role);
  const floor = byRole('floor');
  const reference = byRole('reference');
  const rpsOf = (server, id) => server?.loads.find((l) => l.id === id)?.rps;
  for (const server of results.servers) {
    for (const load of server.loads) {
      const fallback = load.compareTo ?? load.id;
      const floorRps = rpsOf(floor, load.id) ?? rpsOf(floor, fallback);
      const referenceRps = rpsOf(reference, load.id) ?? rpsOf(reference, fallback);
      const factor = requests[load.request]?.seedFactor;
      const seedRps = referenceRps && factor ? referenceRps / factor : undefined;
      load.ratios = {
        floor: floorRps ? load.rps / floorRps : null,
        seedEstimate: seedRps ? load.rps / seedRps : null,
      };
      load.seedRpsEstimate = seedRps ?? null;
    }
  }
}

function targetRows(results, targets) {
  const rows = [];
  for (const server of results.servers.filter((s) => s.role === 'service')) {
    const label =
      results.servers.filter((s) => s.role === 'service').length > 1 ? ` (${server.name})` : '';
    for (const load of server.loads.filter(
      (l) => l.connections > 1 && !server.env?.DATABASE_URL && !server.env?.REDIS_URL,
    )) {
      const v = load.ratios?.seedEstimate;
      rows.push([
        `${load.label} req/s per core vs FastAPI seed (est.)${label}`,
        `≥ ${targets.seedRatio.toFixed(1)}×`,
        ratio(v),
        mark(v == null ? null : v >= targets.seedRatio),
      ]);
    }
    if (server.coldStart) {
      const v = server.coldStart.medianMs;
      rows.push([
        `cold start, median${label}`,
        `≤ ${targets.coldStartMs} ms`,
        `${int(v)} ms`,
        mark(v <= targets.coldStartMs),
      ]);
    }
    const hot = server.env?.REDIS_URL ? server.loads.find((l) => l.id === 'query@1') : undefined;
    if (hot && targets.cacheHotP50Ms != null) {
      const p50 = hot.latencyMs.p50;
      rows.push([
        `POST /query p50, Redis cache hot${label}`,
        `≤ ${targets.cacheHotP50Ms} ms`,
        `${ms(p50)} ms`,
        mark(p50 <= targets.cacheHotP50Ms),
      ]);
    }
    // Variants (rows without a cold start) share the base service's start-up and memory.
    if (!server.coldStart) continue;
    const rss = server.idle?.rssMiB;
    rows.push([
      `idle RSS${label}`,
      `≤ ${targets.idleRssMiB} MiB`,
      `${mib(rss)} MiB`,
      mark(rss == null ? null : rss <= targets.idleRssMiB),
    ]);
    const p99 = server.saturation?.probe.latencyMs.p99;
    if (p99 != null) {
      rows.push([
        `/health p99 under /query saturation${label}`,
        `≤ ${targets.healthP99UnderLoadMs} ms`,
        `${ms(p99)} ms`,
        mark(p99 <= targets.healthP99UnderLoadMs),
      ]);
    }
  }
  return rows;
}

/** " (nest-minimal and autocannon on v20…)" when some processes ran on another node. */
function others(results) {
  const { meta } = results;
  const names = results.servers
    .filter((s) => s.node && s.node !== meta.serverNode)
    .map((s) => s.name);
  if (meta.node !== meta.serverNode) names.push('autocannon');
  return names.length ? ` (${names.join(' and ')} on ${meta.node})` : '';
}

/** The generated block (without markers). */
export function renderMarkdown(results, targets) {
  const { meta } = results;
  const lines = [];
  lines.push(
    `_Run ${meta.date} · Node ${meta.serverNode}${others(results)} · ${meta.cpu} (${meta.cores} cores) · ` +
      `${meta.pinned ? 'server on core 0, autocannon on core 1' : 'NOT pinned (taskset or a 2nd core missing)'} · ` +
      `${meta.durationS} s per measurement after ${meta.warmupS} s warm-up · ${meta.totalS} s in all` +
      (meta.retriesUsed || meta.quietWaitS
        ? ` (busy machine: ${meta.retriesUsed} re-measured, ${meta.quietWaitS} s waiting for quiet)`
        : '') +
      '._',
    '',
    '_Absolute numbers move ±30–50 % between runs on these machines: compare the ratios, which come from one run._',
    '',
  );

  const targetTable = targetRows(results, targets);
  if (targetTable.length) {
    lines.push(
      '### Targets',
      '',
      row(['target', 'goal', 'measured', '']),
      row(['---', '---', '---:', ':-:']),
    );
    for (const r of targetTable) lines.push(row(r));
    lines.push('');
  }

  lines.push(
    '### Throughput and latency',
    '',
    row([
      'scenario',
      'server',
      'req/s',
      'service ÷ floor',
      '÷ seed (est.)',
      'p50 ms',
      'p99 ms',
      'CPU µs/req',
      'server CPU',
      'load-gen CPU',
      'errors / non-2xx',
    ]),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  );
  const loadIds = [...new Set(results.servers.flatMap((s) => s.loads.map((l) => l.id)))];
  for (const id of loadIds) {
    for (const server of results.servers) {
      const l = server.loads.find((x) => x.id === id);
      if (!l) continue;
      lines.push(
        row([
          `${l.label} @${l.connections}`,
          server.name,
          int(l.rps),
          ratio(l.ratios?.floor),
          ratio(l.ratios?.seedEstimate),
          ms(l.latencyMs.p50),
          ms(l.latencyMs.p99),
          int(l.cpu.usPerRequest),
          `${pct(l.cpu.utilisation)}${noisy(l.cpu) ? ' †' : ''}`,
          pct(l.cpu.loadGenUtilisation),
          failures(l),
        ]),
      );
    }
  }
  lines.push(
    '',
    '_server CPU ≈ 100 %: the row measures the server; load-gen CPU ≈ 100 % with server CPU well below: ' +
      'autocannon (one core) is the limit and the row understates the server. ' +
      `† even after retries, more than ${NOISE * 100} % of a core went to other processes or steal: distrust the row._`,
    '',
  );

  lines.push(
    '### Start-up and memory',
    '',
    row([
      'server',
      'cold start median (min–max) ms',
      'idle RSS MiB',
      'RSS after load MiB',
      'peak RSS MiB',
    ]),
    row(['---', '---:', '---:', '---:', '---:']),
  );
  for (const s of results.servers) {
    const cold = s.coldStart
      ? `${int(s.coldStart.medianMs)} (${int(s.coldStart.minMs)}–${int(s.coldStart.maxMs)})`
      : dash;
    lines.push(
      row([s.name, cold, mib(s.idle?.rssMiB), mib(s.afterLoad?.rssMiB), mib(s.afterLoad?.hwmMiB)]),
    );
  }
  lines.push('');

  const saturated = results.servers.filter((s) => s.saturation);
  if (saturated.length) {
    lines.push(
      '### Liveness under saturation',
      '',
      'POST /query saturated by 64 connections while a separate process probes GET /health the way ' +
        'kubelet does: one request at a time, each on a new connection. A probe waits behind the ' +
        '/query work queued in the event loop; kubelet gives up after 1 s by default.',
      '',
      row([
        'server',
        '/query req/s',
        'probes',
        'probe p50 ms',
        'probe p99 ms',
        'probe max ms',
        'probes > 1 s',
        'errors / non-2xx',
      ]),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    );
    for (const s of saturated) {
      const { load, probe, cpu } = s.saturation;
      lines.push(
        row([
          `${s.name}${noisy(cpu) ? ' †' : ''}`,
          int(load.rps),
          int(probe.requests),
          ms(probe.latencyMs.p50),
          ms(probe.latencyMs.p99),
          ms(probe.latencyMs.max),
          int(probe.over1s),
          `${failures(load)} · ${failures(probe)}`,
        ]),
      );
    }
    lines.push('');
  }

  const reference = results.servers.find((s) => s.role === 'reference');
  if (reference?.node && !reference.node.startsWith('v20.')) {
    lines.push(
      `⚠️ The seed ratios 0.41/0.51 were measured with Node 20; nest-minimal ran on ${reference.node} ` +
        'here, so the seed estimate is off (Node 24 runs Nest on Express several times faster).',
      '',
    );
  }
  const notes = results.servers.filter((s) => s.check && !s.check.ok);
  for (const s of notes)
    lines.push(`⚠️ ${s.name}: /query sanity check differs from the floor: ${s.check.note}`, '');
  return lines.join('\n').trimEnd();
}

const TEMPLATE = `# Benchmarks

Run \`npm run bench\` (builds, then \`node bench/run.mjs\`). See bench/scenarios.mjs for what runs.

${START}
${END}
`;

/**
 * Replaces the block between the markers (creating the doc or the markers if missing), then
 * formats the doc with the project's Prettier config so that `npm run lint` stays green.
 */
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
