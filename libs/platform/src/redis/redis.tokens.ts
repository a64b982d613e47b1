/** Injection token of the application's one shared ioredis client. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** Injection token of Redis' {@link ReadinessCheck}. */
export const REDIS_READINESS = Symbol('REDIS_READINESS');
