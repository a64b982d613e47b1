/** The optional shared Redis client: import only where Redis is used. */
export { RedisModule } from './redis.module.js';
export { redisConfig } from './redis.config.js';
export { REDIS_CLIENT, REDIS_READINESS } from './redis.tokens.js';
