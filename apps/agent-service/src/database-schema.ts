import { loadKeySchema, loadUsageSchema } from '@app/access';
import { loadHistorySchema } from '@app/agent';
import { mergeSchemas, type DatabaseSchema } from '@app/platform/database';

/** Every lib's tables and migrations: the history, the managed keys, the budgets' usage. */
export async function loadSchema(): Promise<DatabaseSchema> {
  return mergeSchemas(await loadHistorySchema(), await loadKeySchema(), await loadUsageSchema());
}
