import type { AccessMetrics } from '../access.metrics.js';

/**
 * Caps concurrent metered requests on this replica. Beyond the cap a request is refused at
 * once (503) instead of queueing behind work the replica cannot finish in time; a cap of 0
 * turns shedding off.
 */
export class LoadShedder {
  private running = 0;

  constructor(
    private readonly max: number,
    private readonly metrics: AccessMetrics,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** A release function when there is room (call it exactly once), else undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.max > 0 && this.running >= this.max) {
      this.metrics.shed.inc();
      return undefined;
    }
    this.running++;
    this.metrics.inFlight.set(this.running);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.metrics.inFlight.set(this.running);
    };
  }
}
