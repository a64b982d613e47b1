import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/platform';
import type { HistoryPage } from './query-history.js';
import type { QueryRecord } from './query-record.js';

/** Position in the newest-first order: (createdAt, id), both descending. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(record: Pick<QueryRecord, 'createdAt' | 'id'>): string {
  return Buffer.from(`${record.createdAt.toISOString()}|${record.id}`).toString('base64url');
}

/** Parses an opaque cursor; a malformed one is the client's error (400). */
export function decodeCursor(cursor: string): Cursor {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || !UUID.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new ProblemException(HttpStatus.BAD_REQUEST, 'cursor is not valid', [
      { field: 'cursor', message: 'cursor is not valid' },
    ]);
  }
  return { createdAt, id };
}

/** True when `a` comes before `b` in newest-first order. */
export function newerFirst(a: Cursor, b: Cursor): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** True when `record` lies strictly after `cursor` in newest-first order. */
export function isAfter(record: Cursor, cursor: Cursor | undefined): boolean {
  return cursor === undefined || newerFirst(cursor, record) < 0;
}

/** One newest-first page of `records` after `cursor`. */
export function paginate(
  records: Iterable<QueryRecord>,
  limit: number,
  cursor?: Cursor,
): HistoryPage {
  const items = [...records]
    .filter((r) => isAfter(r, cursor))
    .sort(newerFirst)
    .slice(0, limit);
  return pageOf(items, limit);
}

export function pageOf(items: QueryRecord[], limit: number): HistoryPage {
  const last = items.at(-1);
  return items.length === limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
}
