// The plot written next to docs/benchmarks.md: POST /query (cache hit) throughput and p99 by
// connections, the service against the FastAPI peer, as a self-contained SVG.
const CONNECTIONS = [1, 64, 256, 1024];
const SERIES = [
  { name: 'service', label: 'ai-agent-service (bundle, Node 24)', color: '#2563eb' },
  { name: 'peer', label: 'FastAPI peer (uvicorn, uvloop, httptools)', color: '#ea580c' },
];
const W = 360;
const H = 240;
const M = { left: 62, right: 14, top: 34, bottom: 44 };

const esc = (s) => String(s).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (v) =>
  v >= 10_000
    ? `${Math.round(v / 1000)}k`
    : v >= 1000
      ? `${(v / 1000).toFixed(1)}k`
      : v >= 10
        ? String(Math.round(v))
        : v.toFixed(1);

function points(results, name, pick) {
  const server = results.servers.find((s) => s.name === name);
  return CONNECTIONS.map((c) => {
    const load = server?.loads.find((l) => l.id === `query@${c}`);
    return load ? { c, v: pick(load) } : undefined;
  }).filter((p) => p && Number.isFinite(p.v) && p.v > 0);
}

function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
}

function panel(results, { title, pick, log, x0 }) {
  const series = SERIES.map((s) => ({ ...s, pts: points(results, s.name, pick) }));
  const all = series.flatMap((s) => s.pts.map((p) => p.v));
  const out = [
    `<g transform="translate(${x0},0)">`,
    `<text x="${M.left}" y="20" font-size="13" font-weight="600">${esc(title)}</text>`,
  ];
  if (all.length === 0)
    return [
      ...out,
      `<text x="${M.left}" y="${H / 2}" font-size="12">not measured</text>`,
      '</g>',
    ].join('\n');
  const ix = (c) =>
    M.left + (CONNECTIONS.indexOf(c) / (CONNECTIONS.length - 1)) * (W - M.left - M.right);
  let iy;
  let ticks;
  if (log) {
    const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
    iy = (v) =>
      H -
      M.bottom -
      ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)) *
        (H - M.top - M.bottom);
    ticks = [];
    for (let v = lo; v <= hi * 1.0001; v *= 10) ticks.push(v);
  } else {
    const hi = niceMax(Math.max(...all) * 1.05);
    iy = (v) => H - M.bottom - (v / hi) * (H - M.top - M.bottom);
    ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * hi);
  }
  for (const v of ticks) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${iy(v).toFixed(1)}" y2="${iy(v).toFixed(1)}" stroke="#e5e7eb"/>`,
    );
    out.push(
      `<text x="${M.left - 6}" y="${(iy(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  for (const c of CONNECTIONS) {
    out.push(
      `<text x="${ix(c).toFixed(1)}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${c}</text>`,
    );
  }
  out.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" font-size="11" text-anchor="middle">connections</text>`,
  );
  for (const s of series) {
    if (s.pts.length === 0) continue;
    const d = s.pts
      .map((p, i) => `${i ? 'L' : 'M'}${ix(p.c).toFixed(1)},${iy(p.v).toFixed(1)}`)
      .join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of s.pts)
      out.push(
        `<circle cx="${ix(p.c).toFixed(1)}" cy="${iy(p.v).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(`${s.label}: ${fmt(p.v)} at ${p.c}`)}</title></circle>`,
      );
  }
  out.push('</g>');
  return out.join('\n');
}

/** The SVG document for a run's results. */
export function renderSvg(results) {
  const width = 2 * W;
  const height = H + 36;
  const legend = SERIES.map(
    (s, i) =>
      `<g transform="translate(${M.left + i * 300},${H + 14})"><rect width="14" height="4" y="-4" fill="${s.color}"/><text x="20" y="0" font-size="12">${esc(s.label)}</text></g>`,
  ).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" fill="#111827">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    panel(results, {
      title: 'POST /query (cache hit): req/s',
      pick: (l) => l.rps,
      log: false,
      x0: 0,
    }),
    panel(results, {
      title: 'POST /query (cache hit): p99 latency, ms (log)',
      pick: (l) => l.latencyMs.p99,
      log: true,
      x0: W,
    }),
    legend,
    `<text x="${width - 8}" y="${height - 4}" font-size="9" text-anchor="end" fill="#6b7280">${esc(`npm run bench, ${results.meta.date}, wrk -t1, server and wrk on separate cores`)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
