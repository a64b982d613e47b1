import type { DependencyName } from './dependency-monitor.js';

/** A dependency that readiness probes; each data module provides one for its server. */
export interface ReadinessCheck {
  readonly name: DependencyName;
  /** A required dependency that is down makes the service unready; an optional one degrades it. */
  readonly required: boolean;
  /** Resolves when the dependency answers; rejects (or is aborted) otherwise. */
  ping(signal: AbortSignal): Promise<void>;
}
