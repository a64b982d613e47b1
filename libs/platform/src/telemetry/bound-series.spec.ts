import { describe, expect, it, jest } from '@jest/globals';
import { Counter, Histogram, Registry } from 'prom-client';
import { BoundSeries } from './bound-series.js';

describe('BoundSeries', () => {
  const counter = () =>
    new Counter({
      name: 'c_total',
      help: 'h',
      labelNames: ['a', 'b'] as const,
      registers: [new Registry()],
    });

  it('binds each label set once and counts into the right series', async () => {
    const metric = counter();
    const labels = jest.spyOn(metric, 'labels');
    const series = new BoundSeries(metric, ['a', 'b']);
    series.of({ a: 'x', b: 'y' }).inc();
    series.of({ a: 'x', b: 'y' }).inc(2);
    series.of({ a: 'x', b: 'z' }).inc();
    expect(labels).toHaveBeenCalledTimes(2);
    const values = (await metric.get()).values.map((v) => [v.labels, v.value]);
    expect(values).toEqual([
      [{ a: 'x', b: 'y' }, 3],
      [{ a: 'x', b: 'z' }, 1],
    ]);
  });

  it('keeps a label left out apart from one whose value is empty', async () => {
    const metric = counter();
    const series = new BoundSeries(metric, ['a', 'b']);
    series.of({ a: 'x' }).inc();
    series.of({ a: 'x', b: '' }).inc(5);
    const values = (await metric.get()).values.map((v) => [v.labels, v.value]);
    expect(values).toEqual([
      [{ a: 'x' }, 1],
      [{ a: 'x', b: '' }, 5],
    ]);
  });

  it('does not confuse values that would join alike', () => {
    const metric = counter();
    const labels = jest.spyOn(metric, 'labels');
    const series = new BoundSeries(metric, ['a', 'b']);
    series.of({ a: 'xy', b: 'z' }).inc();
    series.of({ a: 'x', b: 'yz' }).inc();
    expect(labels).toHaveBeenCalledTimes(2);
  });

  it('observes histograms through their bound series', async () => {
    const metric = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['a'] as const,
      buckets: [1],
      registers: [new Registry()],
    });
    new BoundSeries(metric, ['a']).of({ a: 'x' }).observe(0.5);
    const count = (await metric.get()).values.find((v) => v.metricName === 'h_seconds_count');
    expect(count).toMatchObject({ labels: { a: 'x' }, value: 1 });
  });

  it('starts over past its bound, still counting into the same series', async () => {
    const metric = counter();
    const labels = jest.spyOn(metric, 'labels');
    const series = new BoundSeries(metric, ['a', 'b']);
    for (let i = 0; i < 1025; i++) series.of({ a: String(i), b: '' }).inc();
    series.of({ a: '0', b: '' }).inc();
    expect(labels).toHaveBeenCalledTimes(1026);
    const zero = (await metric.get()).values.find((v) => v.labels.a === '0');
    expect(zero?.value).toBe(2);
  });
});
