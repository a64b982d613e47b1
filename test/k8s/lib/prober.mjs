// The kubelet's probe workers for one container: the startup probe first; liveness and readiness
// only once it has succeeded. Each worker probes every periodSeconds (after initialDelaySeconds)
// and turns its result after successThreshold / failureThreshold consecutive results; readiness
// starts false. Every probe and every change of result is recorded with its time.
import { kubeletProbe } from './net.mjs';

const defaults = {
  initialDelaySeconds: 0,
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
};

class Worker {
  constructor(kind, spec, port, onChange) {
    this.kind = kind;
    this.spec = { ...defaults, ...spec };
    this.port = port;
    this.onChange = onChange;
    this.result = kind === 'liveness' ? true : false;
    this.successes = 0;
    this.failures = 0;
    this.maxFailureRun = 0;
    this.probes = [];
    this.changes = [];
  }

  start() {
    this.stopped = false;
    this.timer = setTimeout(() => void this.tick(), this.spec.initialDelaySeconds * 1000);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async tick() {
    if (this.stopped) return;
    const at = Date.now();
    this.timer = setTimeout(() => void this.tick(), this.spec.periodSeconds * 1000);
    const r = await kubeletProbe({
      port: this.port,
      path: this.spec.httpGet.path,
      timeoutSeconds: this.spec.timeoutSeconds,
    });
    if (this.stopped) return;
    this.probes.push({ at, ...r });
    if (r.ok) {
      this.failures = 0;
      this.successes += 1;
      if (!this.result && this.successes >= this.spec.successThreshold) this.set(true, at);
    } else {
      this.successes = 0;
      this.failures += 1;
      this.maxFailureRun = Math.max(this.maxFailureRun, this.failures);
      if (this.result !== false && this.failures >= this.spec.failureThreshold) this.set(false, at);
    }
  }

  set(result, at) {
    this.result = result;
    this.changes.push({ at: Date.now(), probeAt: at, result });
    this.onChange(this, result);
  }

  /** Whether the result was `value` at every moment of [from, to]. */
  heldBetween(value, from, to) {
    let state = this.kind === 'liveness';
    for (const c of this.changes) if (c.at <= from) state = c.result;
    return (
      state === value && !this.changes.some((c) => c.at > from && c.at <= to && c.result !== value)
    );
  }

  firstChangeAfter(t, result) {
    return this.changes.find((c) => c.at >= t && c.result === result);
  }
}

export class KubeletProbes {
  /**
   * `container` is the rendered container spec; `ports` maps its port names to host ports
   * (e.g. { http: 8123, liveness: 8124 }): each probe goes to the port its httpGet names.
   */
  constructor(container, ports) {
    const portOf = (probe) => {
      const port = ports[probe.httpGet.port];
      if (port === undefined)
        throw new Error(`no host port for the probe port ${probe.httpGet.port}`);
      return port;
    };
    this.events = [];
    const onChange = (worker, result) => {
      this.events.push({ at: Date.now(), probe: worker.kind, result });
      if (worker.kind === 'startup' && result) {
        this.startedAt = Date.now();
        this.liveness.start();
        this.readiness.start();
        worker.stop();
      }
      if (worker.kind === 'startup' && !result) this.killed = 'startup probe failed';
      if (worker.kind === 'liveness' && !result) this.killed = 'liveness probe failed';
    };
    this.startup = new Worker(
      'startup',
      container.startupProbe,
      portOf(container.startupProbe),
      onChange,
    );
    this.liveness = new Worker(
      'liveness',
      container.livenessProbe,
      portOf(container.livenessProbe),
      onChange,
    );
    this.readiness = new Worker(
      'readiness',
      container.readinessProbe,
      portOf(container.readinessProbe),
      onChange,
    );
  }

  start() {
    this.containerStartedAt = Date.now();
    this.startup.start();
  }

  stop() {
    for (const w of [this.startup, this.liveness, this.readiness]) w.stop();
  }
}
