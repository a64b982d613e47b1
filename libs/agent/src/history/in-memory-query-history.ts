import { LRUCache } from 'lru-cache';
import { decodeCursor, paginate } from './pagination.js';
import type { HistoryPage, QueryHistory } from './query-history.js';
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

  get(id: string): Promise<QueryRecord | undefined> {
    return Promise.resolve(this.records.peek(id));
  }

  list(limit: number, cursor?: string): Promise<HistoryPage> {
    return Promise.resolve(
      paginate(this.records.values(), limit, cursor ? decodeCursor(cursor) : undefined),
    );
  }
}
