import { LRUCache } from 'lru-cache';
import { decodeCursor, paginate } from './pagination.js';
import { visibleTo, type HistoryPage, type QueryHistory } from './query-history.js';
import { estimateRecordBytes, type QueryRecord } from './query-record.js';

/** How much the in-process history keeps; beyond either bound the oldest records go. */
export interface InMemoryHistoryBounds {
  maxRecords: number;
  maxBytes: number;
}

/** The embedded default: the newest records, in process memory, bounded in count and bytes. */
export class InMemoryQueryHistory implements QueryHistory {
  // Read only with peek() and values(): reads never change which record is evicted first, so
  // the least recently used record is always the oldest one written.
  private readonly records: LRUCache<string, QueryRecord>;

  constructor(bounds: InMemoryHistoryBounds) {
    this.records = new LRUCache<string, QueryRecord>({
      max: bounds.maxRecords,
      maxSize: bounds.maxBytes,
      sizeCalculation: estimateRecordBytes,
    });
  }

  record(record: QueryRecord): void {
    this.records.set(record.id, record);
  }

  get(id: string, clientId?: string): Promise<QueryRecord | undefined> {
    const record = this.records.peek(id);
    return Promise.resolve(record && visibleTo(record, clientId) ? record : undefined);
  }

  list(limit: number, cursor?: string, clientId?: string): Promise<HistoryPage> {
    const records = [...this.records.values()].filter((r) => visibleTo(r, clientId));
    return Promise.resolve(paginate(records, limit, cursor ? decodeCursor(cursor) : undefined));
  }
}
