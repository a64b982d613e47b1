import type { Redis } from 'ioredis';
import {
  BUDGET_POLICIES,
  budgetsOf,
  type BudgetCheck,
  type BudgetSeed,
  type BudgetStore,
  type HeldReservation,
} from './budget-store.js';
import { budgetKeys, keyExpiries, rollingRetry } from './budget-hashes.js';

// reserveIn of budget-hashes.ts, atomically. KEYS: day, month, rolling hash. ARGV: the three
// budgets (0 = off), cost, now (ms), current hour, rolling hours, reservation field, and the
// rolling key's expiry (ms, absolute). Reply: outcome (1 admitted, 0 refused, 2 unseeded), the
// three windows' use, a bit mask of the violated budgets, and the rolling hours (hour, tokens)
// oldest first when the rolling budget refused (the caller computes when they leave).
const RESERVE = `
local budgets = { tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) }
local cost, now, hour, span = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local field, rollingExpiry = ARGV[8], tonumber(ARGV[9])
for i = 1, 3 do
  if budgets[i] > 0 and redis.call('EXISTS', KEYS[i]) == 0 then return { 2, 0, 0, 0, 0 } end
end
local used, hours = { 0, 0, 0 }, {}
for i = 1, 3 do
  if budgets[i] > 0 then
    local flat, drop = redis.call('HGETALL', KEYS[i]), {}
    for j = 1, #flat, 2 do
      local name, value = flat[j], tonumber(flat[j + 1])
      local kind, at = string.match(name, '^(%a):(%d+)')
      at = tonumber(at)
      if name == 's' then used[i] = used[i] + value
      elseif kind == 'r' and at <= now then drop[#drop + 1] = name
      elseif kind == 'r' then used[i] = used[i] + value
      elseif kind == 'h' and at < hour - span then drop[#drop + 1] = name
      elseif kind == 'h' then
        used[i] = used[i] + value
        hours[#hours + 1] = { at, value }
      end
    end
    if #drop > 0 then redis.call('HDEL', KEYS[i], unpack(drop)) end
  end
end
local mask = 0
for i = 1, 3 do
  if budgets[i] > 0 and (used[i] >= budgets[i] or used[i] + cost > budgets[i]) then mask = mask + 2 ^ (i - 1) end
end
if mask > 0 then
  table.sort(hours, function(a, b) return a[1] < b[1] end)
  local reply = { 0, used[1], used[2], used[3], mask }
  for _, h in ipairs(hours) do
    reply[#reply + 1] = h[1]
    reply[#reply + 1] = h[2]
  end
  return reply
end
for i = 1, 3 do
  if budgets[i] > 0 then
    redis.call('HSET', KEYS[i], field, cost)
    used[i] = used[i] + cost
  end
end
if budgets[3] > 0 then redis.call('PEXPIREAT', KEYS[3], rollingExpiry) end
return { 1, used[1], used[2], used[3], 0 }
`;

// seedInto: creates only the windows Redis does not hold, each with its expiry. KEYS as above;
// ARGV: day spent, month spent, the three expiries (ms, absolute), current hour, then
// (hour, tokens) pairs of the rolling window.
const SEED = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 's', ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[2], 's', ARGV[2])
  redis.call('PEXPIREAT', KEYS[2], ARGV[4])
end
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[3], 'h:' .. ARGV[6], 0)
  for i = 7, #ARGV, 2 do redis.call('HINCRBY', KEYS[3], 'h:' .. ARGV[i], ARGV[i + 1]) end
  redis.call('PEXPIREAT', KEYS[3], ARGV[5])
end
return 1
`;

// settleIn: only windows that exist (a late settlement must not create a key without its seed).
// KEYS as above; ARGV: reservation field, tokens, the hour it was reserved in, rolling expiry.
const SETTLE = `
for i = 1, 3 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HDEL', KEYS[i], ARGV[1])
    if i == 3 then
      redis.call('HINCRBY', KEYS[i], 'h:' .. ARGV[3], ARGV[2])
      redis.call('PEXPIREAT', KEYS[i], ARGV[4])
    else
      redis.call('HINCRBY', KEYS[i], 's', ARGV[2])
    end
  end
end
return 1
`;

type Arg = string | number;
interface ScriptedRedis {
  accessBudgetReserve(...args: Arg[]): Promise<number[]>;
  accessBudgetSeed(...args: Arg[]): Promise<number>;
  accessBudgetSettle(...args: Arg[]): Promise<number>;
}

/**
 * Budget windows in Redis, shared by every replica: one script call per request checks every
 * budget and reserves atomically. Errors propagate: the ledger decides to fail open.
 */
export class RedisBudgetStore implements BudgetStore {
  private readonly redis: ScriptedRedis;

  constructor(client: Redis) {
    client.defineCommand('accessBudgetReserve', { numberOfKeys: 3, lua: RESERVE });
    client.defineCommand('accessBudgetSeed', { numberOfKeys: 3, lua: SEED });
    client.defineCommand('accessBudgetSettle', { numberOfKeys: 3, lua: SETTLE });
    this.redis = client as unknown as ScriptedRedis;
  }

  async reserve(held: HeldReservation): Promise<BudgetCheck> {
    const { windows, limits } = held;
    const reply = await this.redis.accessBudgetReserve(
      ...budgetKeys(held),
      ...budgetsOf(limits),
      held.cost,
      windows.nowMs,
      windows.hour,
      limits.rollingHours,
      held.field,
      keyExpiries(held)[2],
    );
    const [outcome, day, month, rolling, mask] = reply;
    const violated = BUDGET_POLICIES.filter((_, i) => (mask & (1 << i)) !== 0);
    const hours: [number, number][] = [];
    for (let i = 5; i + 1 < reply.length; i += 2) hours.push([reply[i], reply[i + 1]]);
    const rollingRetryMs = violated.includes('tokens-rolling')
      ? rollingRetry(hours, rolling + held.cost - limits.rollingTokens, held)
      : 0;
    return {
      outcome: outcome === 1 ? 'admitted' : outcome === 2 ? 'unseeded' : 'refused',
      used: [day, month, rolling],
      violated,
      rollingRetryMs,
    };
  }

  async seed(held: HeldReservation, seed: BudgetSeed): Promise<void> {
    await this.redis.accessBudgetSeed(
      ...budgetKeys(held),
      seed.day,
      seed.month,
      ...keyExpiries(held),
      held.windows.hour,
      ...seed.hours.flat(),
    );
  }

  async settle(held: HeldReservation, tokens: number): Promise<void> {
    await this.redis.accessBudgetSettle(
      ...budgetKeys(held),
      held.field,
      tokens,
      held.windows.hour,
      keyExpiries(held)[2],
    );
  }
}
