import type { Counter, Histogram } from 'prom-client';

/** Most label sets a {@link BoundSeries} keeps bound: past it, it starts over. */
const MAX_BOUND = 1024;

type Child<M> =
  M extends Histogram<string>
    ? ReturnType<Histogram<string>['labels']>
    : ReturnType<Counter<string>['labels']>;

/**
 * A labelled metric's series, each bound once: prom-client sorts, validates and hashes the
 * label object on every `inc`/`observe` given labels, which is most of what a metric costs on
 * a request path. Keyed by the label values in the metric's own order; at most
 * {@link MAX_BOUND} kept (label values come from configuration and fixed sets, so a restart of
 * the map is a backstop, never the rule).
 */
export class BoundSeries<L extends string, M extends Counter<L> | Histogram<L>> {
  private readonly bound = new Map<string, Child<M>>();

  constructor(
    private readonly metric: M,
    private readonly names: readonly L[],
  ) {}

  /** The series of these labels (a name left out is a label the series does not have). */
  of(labels: Partial<Record<L, string>>): Child<M> {
    let key = '';
    for (const name of this.names) key += `${labels[name] ?? '\u0001'}\u0000`;
    let child = this.bound.get(key);
    if (child === undefined) {
      if (this.bound.size >= MAX_BOUND) this.bound.clear();
      child = (this.metric as Counter<L>).labels(labels) as Child<M>;
      this.bound.set(key, child);
    }
    return child;
  }
}
