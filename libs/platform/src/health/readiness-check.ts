/**
 * A dependency that readiness probes. Data modules provide one per configured server; the
 * seed's names `database` and `cache` are reported as `not_configured` when absent.
 */
export interface ReadinessCheck {
  /** `database`, `cache`, or the name of another reported component (e.g. `llm:openai`). */
  readonly name: string;
  /** A required dependency that is down makes the service unready; an optional one degrades it. */
  readonly required: boolean;
  /** Resolves when the dependency answers; rejects (or is aborted) otherwise. */
  ping(signal: AbortSignal): Promise<void>;
  /** Extra fixed-vocabulary fields for `/ready` details (e.g. a circuit state, a failure reason). */
  describe?(): Record<string, string>;
}

/** Injection token for the list of {@link ReadinessCheck}s. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
