import { loadKeySchema, loadUsageSchema } from '@app/access';
import { loadAgentSchema } from '@app/agent';
import { mergeSchemas, type DatabaseSchema } from '@app/platform/database';

/** Every lib's tables and migrations: the agent's (history, conversations, stored responses), the managed keys, the budgets' usage. */
export async function loadSchema(): Promise<DatabaseSchema> {
  return mergeSchemas(await loadAgentSchema(), await loadKeySchema(), await loadUsageSchema());
}
