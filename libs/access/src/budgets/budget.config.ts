import type { AccessEnvironment } from '../access.environment.js';

/** Default token budgets per client (a key entry's `tpd` / `tpmo` override the first two). */
export interface BudgetConfig {
  tokensPerDay: number;
  tokensPerMonth: number;
  rollingTokens: number;
  rollingHours: number;
}

/** The budgets' slice of the environment. */
export function budgetConfig(env: AccessEnvironment): BudgetConfig {
  return {
    tokensPerDay: env.BUDGET_TOKENS_PER_DAY,
    tokensPerMonth: env.BUDGET_TOKENS_PER_MONTH,
    rollingTokens: env.BUDGET_ROLLING_TOKENS,
    rollingHours: env.BUDGET_ROLLING_HOURS,
  };
}
