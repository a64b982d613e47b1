import type { DependencyName } from './dependency-monitor.js';

/** A dependency that readiness probes; each data module provides one for its server. */
export interface ReadinessCheck {
  /** A dependency name, or another reported component's (e.g. `llm:openai`, never required). */
  readonly name: DependencyName | `llm:${string}`;
  /** A required dependency that is down makes the service unready; an optional one degrades it. */
  readonly required: boolean;
  /** Resolves when the dependency answers; rejects (or is aborted) otherwise. */
  ping(signal: AbortSignal): Promise<void>;
  /** Extra fixed-vocabulary fields for `/ready` details (e.g. a circuit state, a failure reason). */
  describe?(): Record<string, string>;
}
