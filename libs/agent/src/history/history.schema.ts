import type { DatabaseSchema } from '@app/platform';
import { CreateQueryHistory1764300000000 } from './postgres/migrations/1764300000000-create-query-history.js';
import { QueryRecordEntity } from './postgres/query-record.entity.js';

/** The tables and migrations the agent contributes to PostgreSQL. */
export const HISTORY_SCHEMA: DatabaseSchema = {
  entities: [QueryRecordEntity],
  migrations: [CreateQueryHistory1764300000000],
};
