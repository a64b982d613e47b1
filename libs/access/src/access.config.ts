import type { Environment } from '@app/platform';
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
  budgets: BudgetConfig;
  /** Bearer token of the /admin routes; unset, they answer 404. */
  adminToken?: string;
}

export const ACCESS_CONFIG = Symbol('ACCESS_CONFIG');

/** The access slice of the environment. */
export function accessConfig(env: Environment): AccessConfig {
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
    budgets: budgetConfig(env),
    adminToken: env.ADMIN_TOKEN,
  };
}
