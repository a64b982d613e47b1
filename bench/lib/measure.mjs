// One measurement: a load (wrk or autocannon) against a running server, with the CPU it took
// on each core; quiet-waits and bounded retries when other processes took a core meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CAN_PIN,
  CLK_TCK,
  LOAD_CORE,
  SERVER_CORE,
  coreTicks,
  cpuTicks,
  runLoad,
} from './processes.mjs';
import { UNIQUE_MARK, runWrk } from './wrk.mjs';
import { REQUESTS, SATURATION } from '../scenarios.mjs';

export const NOISE = 0.2;

const ticksOf = (pid) => {
  try {
    return cpuTicks(pid);
  } catch {
    return NaN; // already gone
  }
};

/** CPU of the server, of the load generator and of everything else on their cores. */
function cpuWindow(serverPid) {
  let t0, l0, c0, w0, loadPid, poll, lastLoad;
  return {
    start(pid) {
      loadPid = pid;
      t0 = ticksOf(serverPid);
      l0 = ticksOf(loadPid);
      lastLoad = l0;
      // The generator may be gone (and its /proc entry with it) when the window closes: its
      // CPU is sampled while it runs.
      poll = setInterval(() => {
        const v = ticksOf(loadPid);
        if (Number.isFinite(v)) lastLoad = v;
      }, 200);
      c0 = coreTicks();
      w0 = performance.now();
    },
    stop() {
      clearInterval(poll);
      const ticks = ticksOf(serverPid) - t0;
      const now = ticksOf(loadPid);
      const loadTicks = (Number.isFinite(now) ? Math.max(now, lastLoad) : lastLoad) - l0;
      const c1 = coreTicks();
      const wallS = (performance.now() - w0) / 1000;
      const share = (v) => v / CLK_TCK / wallS;
      const busy = (id) => share(c1[id].busy - c0[id].busy);
      const cpu = {
        seconds: ticks / CLK_TCK,
        utilisation: share(ticks),
        loadGenUtilisation: share(loadTicks),
        serverCoreOther: CAN_PIN ? Math.max(0, busy(SERVER_CORE) - share(ticks)) : 0,
        loadCoreOther:
          CAN_PIN && Number.isFinite(loadTicks)
            ? Math.max(0, busy(LOAD_CORE) - share(loadTicks))
            : 0,
        steal: share(c1[SERVER_CORE].steal - c0[SERVER_CORE].steal),
      };
      cpu.noise = Math.max(cpu.serverCoreOther + cpu.steal, cpu.loadCoreOther);
      return cpu;
    },
  };
}

/** The request of a REQUESTS id as the generators take it (`vars` fill `<name>` in the path and headers). */
export function requestOf(id, vars = {}) {
  const fill = (text) => text.replace(/<(\w+)>/g, (_, name) => vars[name] ?? '');
  const r = { ...REQUESTS[id] };
  r.path = fill(r.path);
  if (r.headers) {
    r.headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, fill(v)]));
  }
  return r;
}

/** The same request in autocannon's terms (its idReplacement makes bodies unique). */
export function autocannonRequest(r) {
  const out = { method: r.method, path: r.path, headers: r.headers, body: r.body };
  if (r.unique) {
    out.body = r.body.replace(UNIQUE_MARK, '[<id>]');
    out.idReplacement = true;
  }
  return out;
}

let quietBudgetMs = Number(process.env.BENCH_QUIET_BUDGET_S ?? 60) * 1000;
let retriesLeft = Number(process.env.BENCH_RETRIES ?? 3);
export const budgets = () => ({ quietBudgetLeftS: Math.round(quietBudgetMs / 1000), retriesLeft });

/** Waits (within the run's budget) until neither core is more than NOISE busy with others. */
export async function waitQuiet(serverPid, log) {
  let announced = false;
  while (quietBudgetMs > 0) {
    const c0 = coreTicks();
    const s0 = serverPid ? ticksOf(serverPid) : 0;
    await sleep(500);
    const c1 = coreTicks();
    const server = serverPid ? ticksOf(serverPid) - s0 : 0;
    const busy = (id) => (c1[id].busy - c0[id].busy) / CLK_TCK / 0.5;
    const other = Math.max(busy(SERVER_CORE) - server / CLK_TCK / 0.5, busy(LOAD_CORE));
    if (other <= NOISE) return;
    if (!announced)
      log(`  waiting for other processes to calm down (${Math.round(other * 100)} % of a core)`);
    announced = true;
    quietBudgetMs -= 500;
  }
}

async function once(running, load, { duration, warmup, vars, tallyHeader }) {
  const window = cpuWindow(running.child.pid);
  let cpu;
  const onEvent = (event, pid) => {
    if (event === 'measure-start') window.start(pid);
    else if (event === 'measure-end') cpu = window.stop();
  };
  const request = requestOf(load.request, vars);
  const url = `http://127.0.0.1:${running.port}`;
  const result =
    load.generator === 'autocannon'
      ? await runLoad(
          {
            url,
            request: { ...autocannonRequest(request), tallyHeader },
            connections: load.connections,
            duration,
            warmup,
          },
          { cwd: process.cwd(), onEvent },
        )
      : await runWrk(
          { url, request, connections: load.connections, duration, warmup },
          { onEvent },
        );
  if (running.child.exitInfo)
    throw new Error(`server died during ${load.id}: ${running.child.tail}`);
  cpu ??= window.stop();
  cpu.usPerRequest = result.requests > 0 ? (cpu.seconds * 1e6) / result.requests : null;
  return { id: load.id, request: load.request, generator: load.generator ?? 'wrk', ...result, cpu };
}

/** Measures `load`; re-measures (bounded per run) when more than NOISE of a core went elsewhere. */
export async function measure(running, load, options, log) {
  await waitQuiet(running.child.pid, log);
  let best = await once(running, load, options);
  best.attempts = 1;
  while (best.cpu.noise > NOISE && retriesLeft > 0) {
    retriesLeft--;
    log(
      `  ${load.id}: ${Math.round(best.cpu.noise * 100)} % of a core went elsewhere, measuring again`,
    );
    await waitQuiet(running.child.pid, log);
    const again = await once(running, load, options);
    again.attempts = best.attempts + 1;
    if (again.cpu.noise < best.cpu.noise) best = again;
  }
  return best;
}

/**
 * /query saturated by wrk while a separate process probes /health like kubelet does, on the main
 * port and, for a server with a liveness port (what the Kubernetes manifests probe), there too.
 */
export async function saturation(running, { duration }, log) {
  await waitQuiet(running.child.pid, log);
  const url = `http://127.0.0.1:${running.port}`;
  let probe;
  let livenessProbe;
  const probeOf = (probeUrl) =>
    runLoad(
      {
        url: probeUrl,
        request: requestOf(SATURATION.probe.request),
        connections: 1,
        duration,
        warmup: 0,
        mode: 'probe',
        gapMs: SATURATION.probe.gapMs,
      },
      { cwd: process.cwd() },
    );
  const load = runWrk(
    {
      url,
      request: requestOf(SATURATION.load.request),
      connections: SATURATION.load.connections,
      duration: duration + 1,
      warmup: 1,
    },
    {
      onEvent: (event) => {
        if (event !== 'measure-start' || probe) return;
        probe = probeOf(url);
        if (running.livenessPort)
          livenessProbe = probeOf(`http://127.0.0.1:${running.livenessPort}`);
      },
    },
  );
  const loadResult = await load;
  return { load: loadResult, probe: await probe, livenessProbe: await livenessProbe };
}
