import type { Environment } from '../config/environment.js';

/** The Redis module's own settings, read from the validated environment. */
export interface RedisConfig {
  url: string;
  keyPrefix: string;
  /** Longest a command waits before it fails (the caller treats it as a miss). */
  commandTimeoutMs: number;
  /** A required Redis that is down makes the service unready; an optional one degrades it. */
  required: boolean;
}

/** The Redis slice of the environment; undefined when REDIS_URL is unset (no Redis). */
export function redisConfig(env: Environment): RedisConfig | undefined {
  if (!env.REDIS_URL) return undefined;
  return {
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    required: env.REDIS_REQUIRED,
  };
}
