import type { Environment } from '@app/platform';
import type { Limits } from './limits/sliding-window.js';

/** The access layer's slice of the configuration. */
export interface AccessOptions {
  keys: string[];
  keysFile?: string;
  authRequired: boolean;
  metricsToken?: string;
  limits: Limits;
  maxInFlight: number;
  /** Limits live in Redis (shared by replicas) rather than in each process. */
  redis: boolean;
}

export const ACCESS_OPTIONS = Symbol('ACCESS_OPTIONS');

export function accessOptions(env: Environment): AccessOptions {
  return {
    keys: env.API_KEYS,
    keysFile: env.API_KEYS_FILE,
    authRequired: env.AUTH_REQUIRED,
    metricsToken: env.METRICS_TOKEN,
    limits: {
      requests: env.RATE_LIMIT_REQUESTS_PER_MINUTE,
      tokens: env.RATE_LIMIT_TOKENS_PER_MINUTE,
    },
    maxInFlight: env.MAX_IN_FLIGHT,
    redis: env.REDIS_URL !== undefined,
  };
}
