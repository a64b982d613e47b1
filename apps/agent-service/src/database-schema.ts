import { loadUsageSchema } from '@app/access';
import { loadHistorySchema } from '@app/agent';
import type { DatabaseSchema } from '@app/platform/database';

/** Every lib's tables and migrations, loaded one after the other (see loadHistorySchema). */
export async function loadSchema(): Promise<DatabaseSchema> {
  const history = await loadHistorySchema();
  const usage = await loadUsageSchema();
  return {
    entities: [...(history.entities as []), ...(usage.entities as [])],
    migrations: [...(history.migrations as []), ...(usage.migrations as [])],
  };
}
