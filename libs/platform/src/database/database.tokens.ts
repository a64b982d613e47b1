/** Injection token of the database's {@link ReadinessCheck}. */
export const DATABASE_READINESS = Symbol('DATABASE_READINESS');
