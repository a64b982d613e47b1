import type { ServerResponse } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import type { AccessMetrics } from '../access.metrics.js';
import type { AccessContext } from '../http/access-context.js';
import { AccessProblem, QUOTA_EXCEEDED } from '../http/access-problem.js';
import { seconds } from '../limits/rate-limit-headers.js';
import type { BudgetLedger, BudgetState } from './budget-ledger.js';
import { appendBudgetHeaders, retryAfterMs } from './budget-headers.js';

/**
 * The access step of the budgets: reserves `cost` tokens for an identified client (requests
 * without keys have no budgets), or refuses with 429 and `Retry-After` until the violated
 * windows reset. The caller appends the headers once the per-minute ones are set.
 */
export async function admitBudget(
  ledger: BudgetLedger,
  access: AccessContext,
  cost: number,
  res: ServerResponse,
  metrics: AccessMetrics,
): Promise<BudgetState | undefined> {
  if (access.clientId === null) return undefined;
  const state = await ledger.reserve(access.clientId, access.client, cost);
  if (state.admitted) return state;
  const violated = state.check?.violated ?? [];
  for (const policy of violated) metrics.rateLimited.inc({ client: access.label, policy });
  appendBudgetHeaders(res, state);
  res.setHeader('Retry-After', String(Math.max(1, seconds(retryAfterMs(state)))));
  throw budgetExceeded(violated);
}

export function budgetExceeded(violated: string[]): AccessProblem {
  return new AccessProblem(
    HttpStatus.TOO_MANY_REQUESTS,
    `Token budget exhausted: ${violated.join(' and ')}`,
    QUOTA_EXCEEDED,
    { 'violated-policies': violated },
  );
}
