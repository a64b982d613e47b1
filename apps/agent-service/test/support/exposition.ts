/**
 * What a strict scraper would refuse in a Prometheus text (0.0.4) or OpenMetrics exposition:
 * a family declared twice, a sample outside its family, and (in both formats) two families that
 * are one in OpenMetrics, where a counter `x_total` is the family `x` (as OpenTelemetry's
 * Prometheus translation and collectors see it too).
 */
export function expositionProblems(text: string, openMetrics: boolean): string[] {
  const problems: string[] = [];
  const families = new Map<string, string>();
  const normalized = new Map<string, string>();
  let current: { name: string; samples: Set<string> } | undefined;
  const lines = text.split('\n');
  if (openMetrics && lines.filter((l) => l !== '').at(-1) !== '# EOF') {
    problems.push('no # EOF at the end');
  }
  for (const line of lines) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type;
      if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) problems.push(`bad name ${name}`);
      if (families.has(name)) problems.push(`family ${name} declared twice`);
      families.set(name, kind);
      const family = kind === 'counter' ? name.replace(/_total$/, '') : name;
      if (openMetrics && kind === 'counter' && name.endsWith('_total')) {
        problems.push(`OpenMetrics counter family ${name} ends in _total`);
      }
      const other = normalized.get(family);
      if (other !== undefined) problems.push(`${name} and ${other} are both family ${family}`);
      normalized.set(family, name);
      current = { name, samples: new Set(sampleNames(family, kind)) };
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? \S+/.exec(line);
    if (!sample) problems.push(`unparsable line ${line.slice(0, 80)}`);
    else if (!current?.samples.has(sample[1])) {
      problems.push(`sample ${sample[1]} outside its family ${current?.name ?? '(none)'}`);
    }
  }
  return problems;
}

function sampleNames(family: string, kind: string): string[] {
  switch (kind) {
    case 'counter':
      return [`${family}_total`, `${family}_created`, family];
    case 'histogram':
      return ['_bucket', '_sum', '_count', '_created'].map((s) => family + s);
    case 'summary':
      return [family, `${family}_sum`, `${family}_count`, `${family}_created`];
    default:
      return [family];
  }
}
