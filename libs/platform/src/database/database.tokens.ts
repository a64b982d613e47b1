/** Injection token of the TypeORM `DataSource` (loaded only when DATABASE_URL is set). */
export const DATA_SOURCE = Symbol('DATA_SOURCE');

/** Injection token of the database's {@link ReadinessCheck}. */
export const DATABASE_READINESS = Symbol('DATABASE_READINESS');
