import type { Environment } from '@app/platform';
import type { AccessEnvironment } from './access.environment.js';
import { budgetConfig, type BudgetConfig } from './budgets/budget.config.js';
import type { Limits } from './limits/sliding-window.js';

/** The access layer's slice of the configuration. */
export interface AccessConfig {
  keys: string[];
  keysFile?: string;
  authRequired: boolean;
  metricsToken?: string;
  limits: Limits;
  maxInFlight: number;
  admin: AdminConfig;
  budgets: BudgetConfig;
}

/** The key API's settings. */
export interface AdminConfig {
  /** ADMIN_TOKEN; with no token and no admin key, /admin answers 404. */
  token?: string;
  rotationGraceSeconds: number;
  /** Redis channel that tells the other replicas a key changed. */
  channel: string;
}

export const ACCESS_CONFIG = Symbol('ACCESS_CONFIG');
export const ADMIN_CONFIG = Symbol('ADMIN_CONFIG');

/** The access slice of the environment. */
export function accessConfig(env: Environment & AccessEnvironment): AccessConfig {
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
    admin: {
      token: env.ADMIN_TOKEN,
      rotationGraceSeconds: env.ADMIN_KEY_ROTATION_GRACE_SECONDS,
      channel: `${env.REDIS_KEY_PREFIX}api-keys`,
    },
    budgets: budgetConfig(env),
  };
}
