import { decodeCursor, paginate } from './pagination.js';
import { visibleTo, type HistoryPage, type QueryHistory } from './query-history.js';
import type { QueryRecord } from './query-record.js';

/** The embedded default: the newest `limit` records, in process memory. */
export class InMemoryQueryHistory implements QueryHistory {
  private readonly records = new Map<string, QueryRecord>();

  constructor(private readonly limit: number) {}

  record(record: QueryRecord): void {
    this.records.set(record.id, record);
    if (this.records.size > this.limit) {
      // Maps iterate in insertion order: the first key is the oldest record.
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }

  get(id: string, clientId?: string): Promise<QueryRecord | undefined> {
    const record = this.records.get(id);
    return Promise.resolve(record && visibleTo(record, clientId) ? record : undefined);
  }

  list(limit: number, cursor?: string, clientId?: string): Promise<HistoryPage> {
    const records = [...this.records.values()].filter((r) => visibleTo(r, clientId));
    return Promise.resolve(paginate(records, limit, cursor ? decodeCursor(cursor) : undefined));
  }
}
