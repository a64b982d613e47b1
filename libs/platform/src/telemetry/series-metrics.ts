import {
  Counter,
  Histogram,
  type CounterConfiguration,
  type HistogramConfiguration,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValue,
  type MetricValueWithName,
} from 'prom-client';

/**
 * prom-client's counter and histogram for metrics updated on every request. prom-client
 * validates, copies and hashes the labels into a string on every `inc` and `observe`, its bound
 * children (`labels()`) included; that was most of its cost on the request path. These find
 * the series by walking one small map per label value instead (no string is built), validate
 * the labels once per series, and keep the arithmetic:
 * - {@link SeriesCounter}: increments add up in the series and reach prom-client when the
 *   registry is read, with prom-client's own `inc`.
 * - {@link SeriesHistogram}: buckets, sum and count live in the series and are exported in
 *   prom-client's format.
 * The exposition is the same text as prom-client's for the same observations. Labels are
 * checked when a series is first seen, not on every call; a histogram series set through
 * prom-client's own paths (`zero`, `labels()` children) is exported beside, not merged with, one
 * observed here: the service uses `inc` and `observe` only.
 *
 * Each metric holds at most `maxSeries` series (10,000 unless configured), and past it a new label
 * set is counted in one more series whose every label is `other`, so label values that come from
 * outside (an upstream's model name, say) cannot grow memory without bound.
 */
const MAX_SERIES = 10_000;
const OVERFLOW_LABEL_VALUE = 'other';

/** A bound on the series of one metric (see above). */
export interface SeriesBound {
  maxSeries?: number;
}
export class SeriesCounter<T extends string = string> extends Counter<T> {
  private readonly tree: SeriesTree<CounterSeries<T>, LabelValues<T>>;
  /** prom-client's own `inc`. */
  private readonly checked: Counter<T>['inc'];

  constructor({ maxSeries = MAX_SERIES, ...config }: CounterConfiguration<T> & SeriesBound) {
    super(config);
    this.tree = new SeriesTree(config.labelNames ?? [], maxSeries);
    const checked = this.inc.bind(this);
    this.checked = checked;
    this.inc = ((labels?: LabelValues<T> | number, value?: number) => {
      const [set, amount] = typeof labels === 'object' ? [labels, value] : [{}, labels];
      // Anything but a plain non-negative amount gets prom-client's own treatment (its errors).
      if (amount !== undefined && !(amount >= 0 && amount < Infinity)) return checked(set, amount);
      const series =
        this.tree.find(set) ??
        this.tree.add(set, (labels) => {
          checked(labels, 0); // validates the labels, and the series shows 0 until it is read
          return { labels: { ...labels }, pending: 0 };
        });
      series.pending += amount ?? 1;
    }) as Counter<T>['inc'];
    const remove = this.remove.bind(this);
    this.remove = ((...values: Parameters<Counter<T>['remove']>) => {
      this.flush();
      this.tree.clear();
      remove(...(values as [never]));
    }) as Counter<T>['remove'];
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    this.flush();
    return super.get();
  }

  override reset(): void {
    // Also called by prom-client's constructor, before this class's fields exist.
    (this.tree as SeriesTree<unknown, object> | undefined)?.clear();
    super.reset();
  }

  private flush(): void {
    for (const series of this.tree.all()) {
      if (series.pending === 0) continue;
      const pending = series.pending;
      series.pending = 0;
      this.checked(series.labels, pending);
    }
  }
}

export class SeriesHistogram<T extends string = string> extends Histogram<T> {
  private readonly tree: SeriesTree<HistogramSeries<T>, LabelValues<T>>;
  private readonly bounds: readonly number[];

  constructor({ maxSeries = MAX_SERIES, ...config }: HistogramConfiguration<T> & SeriesBound) {
    super(config);
    const names = config.labelNames ?? [];
    this.tree = new SeriesTree(names, maxSeries);
    this.bounds = (this as unknown as { upperBounds: number[] }).upperBounds;
    const checked = this.observe.bind(this);
    this.observe = ((labels: LabelValues<T> | number, value?: number) => {
      const [set, amount] = typeof labels === 'object' ? [labels, value] : [{}, labels];
      if (typeof amount !== 'number' || !Number.isFinite(amount)) return checked(set, amount!);
      const series =
        this.tree.find(set) ??
        this.tree.add(set, (labels) => {
          validateLabels(names, labels);
          return {
            labels: { ...labels },
            buckets: new Float64Array(this.bounds.length),
            sum: 0,
            count: 0,
          };
        });
      const bounds = this.bounds;
      for (let i = 0; i < bounds.length; i++) {
        if (amount <= bounds[i]) {
          series.buckets[i]++;
          break;
        }
      }
      series.sum += amount;
      series.count++;
    }) as Histogram<T>['observe'];
  }

  /** What the registry reads: prom-client's series, then these, in prom-client's format. */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    const own = await PROM_STRING.call(this);
    return { ...own, values: [...own.values, ...this.exported()] };
  }

  override reset(): void {
    // Also called by prom-client's constructor, before this class's fields exist.
    (this.tree as SeriesTree<unknown, object> | undefined)?.clear();
    super.reset();
  }

  private exported(): MetricValueWithName<T>[] {
    const name = (this as unknown as { name: string }).name;
    const values: MetricValueWithName<T>[] = [];
    for (const series of this.tree.all()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += series.buckets[i];
        values.push(exported({ le: this.bounds[i] }, series, cumulative, `${name}_bucket`, null));
      }
      values.push(
        exported({ le: '+Inf' }, series, series.count, `${name}_bucket`, null),
        exported({}, series, series.sum, `${name}_sum`, undefined),
        exported({}, series, series.count, `${name}_count`, undefined),
      );
    }
    return values;
  }
}

interface CounterSeries<T extends string> {
  labels: LabelValues<T>;
  pending: number;
}

interface HistogramSeries<T extends string> {
  labels: LabelValues<T>;
  buckets: Float64Array;
  sum: number;
  count: number;
}

type PromString<T extends string> = () => Promise<MetricObjectWithValues<MetricValueWithName<T>>>;
// prom-client's histogram text export (not in its type declarations; the registry prefers it).
const PROM_STRING = (Histogram.prototype as unknown as { getForPromString: PromString<string> })
  .getForPromString as PromString<never>;

/** One exported value, shaped as prom-client's histogram shapes its own (labels shared). */
function exported<T extends string>(
  labels: Record<string, string | number>,
  series: HistogramSeries<T>,
  value: number,
  metricName: string,
  exemplar: null | undefined,
): MetricValueWithName<T> {
  return { labels, sharedLabels: series.labels, value, metricName, exemplar } as never;
}

const LEAF = Symbol('series');

/**
 * Series by their label values, one map level per label name (a missing label is undefined),
 * at most `maxSeries` of them.
 */
class SeriesTree<S, L extends object> {
  private root = new Map<unknown, unknown>();
  private list: S[] = [];

  constructor(
    private readonly names: readonly string[],
    private readonly maxSeries: number,
  ) {}

  find(labels: L): S | undefined {
    let node = this.root;
    for (let i = 0; i < this.names.length; i++) {
      const next = node.get((labels as Record<string, unknown>)[this.names[i]]) as
        Map<unknown, unknown> | undefined;
      if (next === undefined) return undefined;
      node = next;
    }
    return node.get(LEAF) as S | undefined;
  }

  /** The series `create` makes for `labels`, or once the tree is full, the overflow series. */
  add(labels: L, create: (labels: L) => S): S {
    if (this.list.length >= this.maxSeries && this.names.length > 0) {
      const overflow = Object.fromEntries(this.names.map((n) => [n, OVERFLOW_LABEL_VALUE])) as L;
      return this.find(overflow) ?? this.insert(overflow, create(overflow));
    }
    return this.insert(labels, create(labels));
  }

  all(): readonly S[] {
    return this.list;
  }

  clear(): void {
    this.root = new Map();
    this.list = [];
  }

  private insert(labels: L, series: S): S {
    let node = this.root;
    for (const name of this.names) {
      const value = (labels as Record<string, unknown>)[name];
      let next = node.get(value) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(value, next);
      }
      node = next;
    }
    node.set(LEAF, series);
    this.list.push(series);
    return series;
  }
}

/** prom-client's rule: every label must be declared. */
function validateLabels(names: readonly string[], labels: Record<string, unknown>): void {
  for (const label of Object.keys(labels)) {
    if (!names.includes(label)) {
      throw new Error(
        `Added label "${label}" is not included in initial labelset: ${JSON.stringify(names)}`,
      );
    }
  }
}
