import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './series-metrics.js';

type Labels = Partial<Record<'method' | 'route' | 'status', string>>;
type Op = { labels: Labels | undefined; value: number | undefined };

const BUCKETS = [0.001, 0.01, 0.1, 1, 10];

/** The text (and JSON) a registry exposes after the same operations on a plain and a series metric. */
async function both(
  make: (registry: Registry, plain: boolean) => { apply(op: Op): void },
  ops: Op[],
): Promise<[string, string]> {
  const texts: string[] = [];
  for (const plain of [true, false]) {
    const registry = new Registry();
    const metric = make(registry, plain);
    for (const op of ops) metric.apply(op);
    texts.push(`${await registry.metrics()}\n${JSON.stringify(await registry.getMetricsAsJSON())}`);
  }
  return [texts[0], texts[1]];
}

const counter = (registry: Registry, plain: boolean) => {
  const config = {
    name: 'requests_total',
    help: 'Requests.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  };
  const metric = plain ? new Counter(config) : new SeriesCounter(config);
  return {
    apply: ({ labels, value }: Op) =>
      labels === undefined ? metric.inc(value) : metric.inc(labels, value),
  };
};

const histogram = (registry: Registry, plain: boolean) => {
  const config = {
    name: 'duration_seconds',
    help: 'Durations.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [registry],
  };
  const metric = plain ? new Histogram(config) : new SeriesHistogram(config);
  return {
    apply: ({ labels, value }: Op) =>
      labels === undefined ? metric.observe(value ?? 0) : metric.observe(labels, value ?? 0),
  };
};

const labelSets = fc.option(
  fc.record(
    {
      method: fc.constantFrom('GET', 'POST'),
      route: fc.constantFrom('/query', '/health', ''),
      status: fc.constantFrom('200', '429'),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

describe('SeriesCounter and SeriesHistogram', () => {
  it('expose exactly what prom-client exposes for the same counter increments', async () => {
    const ops = fc.array(
      fc.record({
        labels: labelSets,
        value: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
      }),
      { maxLength: 60 },
    );
    await fc.assert(
      fc.asyncProperty(ops, async (list) => {
        const [plain, series] = await both(counter, list);
        expect(series).toBe(plain);
      }),
      { numRuns: 100 },
    );
  });

  it('expose exactly what prom-client exposes for the same observations, bucket edges included', async () => {
    const values = fc.oneof(
      fc.constantFrom(0, ...BUCKETS, 11),
      fc.double({ min: 0, max: 20, noNaN: true }),
    );
    const ops = fc.array(fc.record({ labels: labelSets, value: values }), { maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(ops, async (list) => {
        const [plain, series] = await both(histogram, list);
        expect(series).toBe(plain);
      }),
      { numRuns: 100 },
    );
  });

  it('keep counting after a read, and start again after a reset', async () => {
    const registry = new Registry();
    const metric = new SeriesCounter({
      name: 'c',
      help: 'c',
      labelNames: ['a'],
      registers: [registry],
    });
    metric.inc({ a: 'x' }, 2);
    expect(await registry.metrics()).toContain('c{a="x"} 2');
    metric.inc({ a: 'x' });
    expect(await registry.metrics()).toContain('c{a="x"} 3');
    metric.reset();
    metric.inc({ a: 'x' });
    expect(await registry.metrics()).toContain('c{a="x"} 1');
    const timed = new SeriesHistogram({
      name: 'h',
      help: 'h',
      buckets: [1],
      registers: [registry],
    });
    timed.observe(0.5);
    timed.reset();
    timed.observe(2);
    expect(await registry.metrics()).toContain('h_count 1');
  });

  it('hold at most maxSeries series, counting new label sets past it as other', async () => {
    const registry = new Registry();
    const count = new SeriesCounter({
      name: 'c',
      help: 'c',
      labelNames: ['model', 'kind'],
      registers: [registry],
      maxSeries: 2,
    });
    const timed = new SeriesHistogram({
      name: 'h',
      help: 'h',
      labelNames: ['model'],
      buckets: [1],
      registers: [registry],
      maxSeries: 2,
    });
    for (const model of ['a', 'b', 'c', 'd', 'a']) {
      count.inc({ model, kind: 'x' });
      timed.observe({ model }, 0.5);
    }
    const text = await registry.metrics();
    expect(text).toContain('c{model="a",kind="x"} 2');
    expect(text).toContain('c{model="b",kind="x"} 1');
    expect(text).toContain('c{model="other",kind="other"} 2');
    expect(text).not.toContain('model="c"');
    expect(text).toContain('h_count{model="other"} 2');
    expect(text).toContain('h_count{model="a"} 2');
    expect(text.match(/^c\{/gm)).toHaveLength(3);
  });

  it('refuse what prom-client refuses', () => {
    const registry = new Registry();
    const count = new SeriesCounter({
      name: 'c',
      help: 'c',
      labelNames: ['a'],
      registers: [registry],
    });
    const timed = new SeriesHistogram({
      name: 'h',
      help: 'h',
      labelNames: ['a'],
      registers: [registry],
    });
    expect(() => count.inc({ b: 'x' } as never)).toThrow('is not included in initial labelset');
    expect(() => count.inc({ a: 'x' }, -1)).toThrow('It is not possible to decrease a counter');
    expect(() => count.inc({ a: 'x' }, Infinity)).toThrow('Value is not a valid number');
    expect(() => timed.observe({ b: 'x' } as never, 1)).toThrow(
      'is not included in initial labelset',
    );
    expect(() => timed.observe({ a: 'x' }, Number.NaN)).toThrow('Value is not a valid number');
  });
});
