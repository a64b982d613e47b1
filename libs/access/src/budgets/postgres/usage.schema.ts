import type { DatabaseSchema } from '@app/platform/database';

/** The tables the budgets contribute to PostgreSQL (migrations only: queries are plain SQL). */
export async function loadUsageSchema(): Promise<DatabaseSchema> {
  const { CreateClientUsage1796200000000 } =
    await import('./migrations/1796200000000-create-client-usage.js');
  return { entities: [], migrations: [CreateClientUsage1796200000000] };
}
