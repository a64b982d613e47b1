/**
 * A dependency that readiness probes. Data modules provide one per configured server; the
 * seed's names `database` and `cache` are reported as `not_configured` when absent.
 */
export interface ReadinessCheck {
  readonly name: 'database' | 'cache';
  /** A required dependency that is down makes the service unready; an optional one degrades it. */
  readonly required: boolean;
  /** Resolves when the dependency answers; rejects (or is aborted) otherwise. */
  ping(signal: AbortSignal): Promise<void>;
}

/** Injection token for the list of {@link ReadinessCheck}s. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
