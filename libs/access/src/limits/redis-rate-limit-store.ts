import type { Redis } from 'ioredis';
import type { RateLimitStore } from './rate-limit-store.js';
import {
  BUCKET_SPAN_SECONDS,
  WINDOW_SECONDS,
  type Limits,
  type WindowState,
} from './sliding-window.js';

// The steps of sliding-window.ts `admit`, atomically in Redis, on Redis' clock (replicas'
// clocks may disagree). One hash per partition: fields r:<second> and t:<second> count the
// admissions and tokens of that second, so a window holds at most 122 small fields.
// KEYS[1] the partition's hash; ARGV: request limit, token limit (0 = none), cost.
const ADMIT = `
local clock = redis.call('TIME')
local nowMs = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local now = tonumber(clock[1])
local span = ${BUCKET_SPAN_SECONDS}
local maxRequests, maxTokens, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local flat = redis.call('HGETALL', KEYS[1])
local req, tok, seconds, stale = {}, {}, {}, {}
for i = 1, #flat, 2 do
  local kind, sec = string.match(flat[i], '^([rt]):(%d+)$')
  sec = tonumber(sec)
  if sec == nil or sec + span <= now then
    stale[#stale + 1] = flat[i]
  else
    if req[sec] == nil and tok[sec] == nil then seconds[#seconds + 1] = sec end
    if kind == 'r' then req[sec] = tonumber(flat[i + 1]) else tok[sec] = tonumber(flat[i + 1]) end
  end
end
if #stale > 0 then redis.call('HDEL', KEYS[1], unpack(stale)) end
table.sort(seconds)
local requests, tokens = 0, 0
for _, s in ipairs(seconds) do
  requests = requests + (req[s] or 0)
  tokens = tokens + (tok[s] or 0)
end
local charge = 0
if maxTokens > 0 then charge = math.min(cost, maxTokens) end
local requestsExceeded = maxRequests > 0 and requests >= maxRequests
local tokensExceeded = maxTokens > 0 and tokens + charge > maxTokens
local function leaves(s) return (s + span) * 1000 - nowMs end
local function untilFreed(counts, needed)
  local freed = 0
  for _, s in ipairs(seconds) do
    freed = freed + (counts[s] or 0)
    if freed >= needed then return leaves(s) end
  end
  if #seconds > 0 then return leaves(seconds[#seconds]) end
  return 0
end
local retry = 0
if requestsExceeded then retry = untilFreed(req, requests - maxRequests + 1) end
if tokensExceeded then retry = math.max(retry, untilFreed(tok, tokens + charge - maxTokens)) end
local admitted = 0
if not requestsExceeded and not tokensExceeded then
  admitted = 1
  redis.call('HINCRBY', KEYS[1], 'r:' .. now, 1)
  if maxTokens > 0 then redis.call('HINCRBY', KEYS[1], 't:' .. now, charge) end
  redis.call('PEXPIRE', KEYS[1], span * 1000)
  if seconds[#seconds] ~= now then seconds[#seconds + 1] = now end
  requests = requests + 1
  tokens = tokens + charge
else
  charge = 0
end
local firstFree, fullReset = ${WINDOW_SECONDS * 1000}, 0
if #seconds > 0 then
  firstFree = leaves(seconds[1])
  fullReset = leaves(seconds[#seconds])
end
return { admitted, requests, tokens, charge, now, firstFree, fullReset, retry,
  requestsExceeded and 1 or 0, tokensExceeded and 1 or 0 }
`;

// Settles a reservation only while its bucket exists: a late settlement must not recreate a
// key without expiry. KEYS[1] the partition's hash; ARGV: second, token delta.
const SETTLE = `
local field = 't:' .. ARGV[1]
if redis.call('HEXISTS', KEYS[1], field) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[1], field, ARGV[2]) < 0 then redis.call('HSET', KEYS[1], field, 0) end
return 1
`;

type Reply = [number, number, number, number, number, number, number, number, number, number];

interface ScriptedRedis {
  accessRateLimitAdmit(key: string, ...args: number[]): Promise<Reply>;
  accessRateLimitSettle(key: string, second: number, delta: number): Promise<number>;
}

/**
 * Windows in Redis, shared by every replica: one script call per request checks both budgets
 * and records the admission atomically (EVALSHA; ioredis loads the script when Redis lost it).
 * Errors propagate: the rate limiter decides to fail open.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: ScriptedRedis;

  constructor(client: Redis) {
    client.defineCommand('accessRateLimitAdmit', { numberOfKeys: 1, lua: ADMIT });
    client.defineCommand('accessRateLimitSettle', { numberOfKeys: 1, lua: SETTLE });
    this.redis = client as unknown as ScriptedRedis;
    // Loaded ahead of the first request (and again after every reconnect, in case Redis
    // restarted empty): otherwise that request pays EVALSHA, NOSCRIPT and EVAL within the
    // command timeout, and a miss there would let it through undecided.
    const load = () => {
      for (const lua of [ADMIT, SETTLE]) client.script('LOAD', lua).catch(() => undefined);
    };
    client.on('ready', load);
    if (client.status === 'ready') load();
  }

  async admit(partition: string, limits: Limits, cost: number): Promise<WindowState> {
    const [
      admitted,
      requests,
      tokens,
      charge,
      second,
      firstFree,
      fullReset,
      retry,
      reqOver,
      tokOver,
    ] = await this.redis.accessRateLimitAdmit(key(partition), limits.requests, limits.tokens, cost);
    return {
      admitted: admitted === 1,
      requests,
      tokens,
      charge,
      second,
      firstFreeMs: firstFree,
      fullResetMs: fullReset,
      retryAfterMs: retry,
      requestsExceeded: reqOver === 1,
      tokensExceeded: tokOver === 1,
    };
  }

  async settle(partition: string, second: number, delta: number): Promise<void> {
    await this.redis.accessRateLimitSettle(key(partition), second, delta);
  }
}

/** The braces make it a Redis Cluster hash tag: a partition's data stays on one node. */
function key(partition: string): string {
  return `ratelimit:v1:{${partition}}`;
}
