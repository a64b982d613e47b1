import type { DynamicModule, InjectionToken } from '@nestjs/common';
import type { Environment } from '@app/platform';

/** A configured dependency: the module that provides it and the token of its readiness check. */
export interface ReadinessSource {
  module: DynamicModule;
  check: InjectionToken;
}

/** Readiness settings. */
export interface ReadinessOptions {
  /** Per-dependency timeout of a check. */
  timeoutMs: number;
}

/** The readiness slice of the environment. */
export function readinessOptions(env: Environment): ReadinessOptions {
  return { timeoutMs: env.READINESS_TIMEOUT_MS };
}

/** Injection token of the configured dependencies' readiness checks. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
/** Injection token of the {@link ReadinessOptions}. */
export const READINESS_OPTIONS = Symbol('READINESS_OPTIONS');
