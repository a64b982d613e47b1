// The targets, checked against the peer measured in the same run (never an estimate).
const RATIO_ROWS = [
  ['health@1', 'GET /health @1'],
  ['health@64', 'GET /health @64'],
  ['query@1', 'POST /query, cache hit @1'],
  ['query@64', 'POST /query, cache hit @64'],
  ['query-miss@1', 'POST /query, cache miss @1'],
  ['query-miss@64', 'POST /query, cache miss @64'],
];
const P99_ROWS = RATIO_ROWS.filter(([id]) => id.endsWith('@64'));

const find = (results, name) => results.servers.find((s) => s.name === name);
const loadOf = (server, id) => server?.loads.find((l) => l.id === id);

/** Every target as { name, target, value, ok (true/false/null = not measured), note }. */
export function evaluateTargets(results) {
  const t = results.targets;
  const service = find(results, 'service');
  const peer = find(results, 'peer');
  const rows = [];
  const missing = peer ? undefined : 'peer not run';
  for (const [id, label] of RATIO_ROWS) {
    const ours = loadOf(service, id);
    const theirs = loadOf(peer, id);
    const v = ours && theirs ? ours.rps / theirs.rps : null;
    rows.push({
      name: `${label} req/s vs peer`,
      target: `≥ ${t.rpsVsPeer}×`,
      value: v,
      unit: '×',
      ok: v == null ? false : v >= t.rpsVsPeer,
      detail:
        ours && theirs
          ? `${Math.round(ours.rps)} vs ${Math.round(theirs.rps)}`
          : (missing ?? 'not measured'),
    });
  }
  for (const [id, label] of P99_ROWS) {
    const ours = loadOf(service, id);
    const theirs = loadOf(peer, id);
    const v = ours && theirs ? ours.latencyMs.p99 / theirs.latencyMs.p99 : null;
    rows.push({
      name: `${label} p99 vs peer`,
      target: `≤ ${t.p99VsPeer}×`,
      value: v,
      unit: '×',
      ok: v == null ? false : v <= t.p99VsPeer,
      detail:
        ours && theirs
          ? `${ours.latencyMs.p99} vs ${theirs.latencyMs.p99} ms`
          : (missing ?? 'not measured'),
    });
  }
  const miss = loadOf(service, 'query-miss@64');
  const cpu = miss?.cpu?.usPerRequest ?? null;
  rows.push({
    name: 'CPU per POST /query, cache miss @64',
    target: `≤ ${t.cpuPerMissUs} µs`,
    value: cpu,
    unit: 'µs',
    ok: cpu == null ? false : cpu <= t.cpuPerMissUs,
    detail: loadOf(peer, 'query-miss@64')?.cpu
      ? `peer ${Math.round(loadOf(peer, 'query-miss@64').cpu.usPerRequest)} µs`
      : '',
  });
  // What the kubelet probes in the shipped manifests: the liveness port when there is one.
  const { probe: mainProbe, livenessProbe } = service?.saturation ?? {};
  const probe = livenessProbe ?? mainProbe;
  rows.push({
    name: 'GET /health p99 while /query saturates',
    target: `≤ ${t.healthP99UnderLoadMs} ms`,
    value: probe?.latencyMs.p99 ?? null,
    unit: 'ms',
    ok: probe ? probe.latencyMs.p99 <= t.healthP99UnderLoadMs : false,
    detail: [
      livenessProbe ? `liveness port; main port ${mainProbe.latencyMs.p99} ms` : '',
      peer?.saturation ? `peer ${peer.saturation.probe.latencyMs.p99} ms` : '',
    ]
      .filter(Boolean)
      .join('; '),
  });
  const mem = (label, value, limit, peerValue) => ({
    name: label,
    target: `≤ ${limit} MiB`,
    value,
    unit: 'MiB',
    ok: value == null ? false : value <= limit,
    detail: peerValue == null ? '' : `peer ${peerValue.toFixed(1)} MiB`,
  });
  rows.push(mem('Idle RSS', service?.idle?.rssMiB ?? null, t.idleRssMiB, peer?.idle?.rssMiB));
  rows.push(
    mem(
      'RSS after the load runs',
      service?.afterLoad?.rssMiB ?? null,
      t.loadedRssMiB,
      peer?.afterLoad?.rssMiB,
    ),
  );
  rows.push({
    name: 'Cold start (spawn → first /health 200)',
    target: `≤ ${t.coldStartMs} ms`,
    value: service?.coldStart?.medianMs ?? null,
    unit: 'ms',
    ok: service?.coldStart ? service.coldStart.medianMs <= t.coldStartMs : false,
    detail: peer?.coldStart ? `peer ${Math.round(peer.coldStart.medianMs)} ms` : '',
  });
  rows.push({
    name: '`docker run` → first /health 200',
    target: `≤ ${t.dockerFirstHealthMs} ms`,
    value: null,
    unit: 'ms',
    ok: null,
    detail: 'measured by the container suite (npm run test:container), not here',
  });
  return rows;
}
