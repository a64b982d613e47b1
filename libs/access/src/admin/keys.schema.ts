import type { DatabaseSchema } from '@app/platform/database';

/** The tables and migrations the key API contributes to PostgreSQL, loaded on demand. */
export async function loadKeySchema(): Promise<DatabaseSchema> {
  // One after the other: Jest's ESM loader races on concurrent imports of a shared module.
  const { ApiKeyEntity, ApiKeyAuditEntity } = await import('./postgres/api-key.entity.js');
  const { CreateApiKeys1796100000000 } =
    await import('./postgres/migrations/1796100000000-create-api-keys.js');
  return {
    entities: [ApiKeyEntity, ApiKeyAuditEntity],
    migrations: [CreateApiKeys1796100000000],
  };
}
