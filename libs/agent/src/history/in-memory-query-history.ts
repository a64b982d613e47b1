import { decodeCursor, paginate } from './pagination.js';
import type { HistoryPage, QueryHistory } from './query-history.js';
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

  get(id: string): Promise<QueryRecord | undefined> {
    return Promise.resolve(this.records.get(id));
  }

  list(limit: number, cursor?: string): Promise<HistoryPage> {
    return Promise.resolve(
      paginate(this.records.values(), limit, cursor ? decodeCursor(cursor) : undefined),
    );
  }
}
