import type { QueryRecord } from './query-record.js';

export interface HistoryPage {
  items: QueryRecord[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

/**
 * Where answered queries are kept: PostgreSQL when configured, else a bounded in-memory store.
 * `record` never fails or waits on storage: a query is never failed or slowed by the store.
 */
export interface QueryHistory {
  record(record: QueryRecord): void;
  get(id: string): Promise<QueryRecord | undefined>;
  /** Newest first. */
  list(limit: number, cursor?: string): Promise<HistoryPage>;
}

/** Injection token of the configured {@link QueryHistory}. */
export const QUERY_HISTORY = Symbol('QUERY_HISTORY');
