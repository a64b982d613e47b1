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
  /** With `clientId`, only that client's record: another client's is not found. */
  get(id: string, clientId?: string): Promise<QueryRecord | undefined>;
  /** Newest first; with `clientId`, only that client's records. */
  list(limit: number, cursor?: string, clientId?: string): Promise<HistoryPage>;
}

/** Whether `record` is visible to `clientId` (everything is when no client is given). */
export function visibleTo(record: QueryRecord, clientId: string | undefined): boolean {
  return clientId === undefined || record.clientId === clientId;
}

/** Injection token of the configured {@link QueryHistory}. */
export const QUERY_HISTORY = Symbol('QUERY_HISTORY');
