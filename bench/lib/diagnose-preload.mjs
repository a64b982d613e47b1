// Loaded into a profiled server with `node --import`: the event-loop delay histogram
// (perf_hooks.monitorEventLoopDelay), the time each request spends inside the server ('request'
// event → 'finish') and every GC pause, printed as one JSON line on stderr at exit. A client's
// latency far above the in-server time, with a small loop delay, means requests waited outside
// the handlers: in the kernel's socket queues or in the client.
import { PerformanceObserver, createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import http from 'node:http';

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const inServer = createHistogram();
const gc = { count: 0, totalMs: 0, maxMs: 0, byKind: {} };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    const kind =
      { 1: 'scavenge', 2: 'minor-ms', 4: 'mark-compact', 8: 'incremental', 16: 'weak-callbacks' }[
        e.detail?.kind
      ] ?? 'other';
    gc.byKind[kind] = (gc.byKind[kind] ?? 0) + 1;
  }
}).observe({ entryTypes: ['gc'] });

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
  if (event === 'request') {
    const t0 = performance.now();
    res.once('finish', () =>
      inServer.record(Math.max(1, Math.round((performance.now() - t0) * 1000))),
    );
  }
  return emit.apply(this, arguments);
};

const ms = (h, p) => Math.round(h.percentile(p) / 1e3) / 1e3;
process.once('exit', () => {
  const us = (p) => inServer.percentile(p);
  process.stderr.write(
    `DIAGNOSE ${JSON.stringify({
      loopDelayMs: { p50: ms(loop, 50), p99: ms(loop, 99), max: Math.round(loop.max / 1e3) / 1e3 },
      inServerUs: { p50: us(50), p99: us(99), max: inServer.max, n: inServer.count },
      gc: { ...gc, totalMs: Math.round(gc.totalMs), maxMs: Math.round(gc.maxMs * 10) / 10 },
    })}\n`,
  );
});
