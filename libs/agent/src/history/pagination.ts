import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/platform';
import type { HistoryPage } from './query-history.js';
import type { QueryRecord } from './query-record.js';

/** Position in the newest-first order: (createdAt, id), both descending. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

// Exactly what encodeCursor writes: a millisecond UTC timestamp with a four-digit year, and a UUID.
const CURSOR_TEXT =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
// base64url of at most 24 + 1 + 36 bytes, without padding.
const CURSOR_ENCODING = /^[A-Za-z0-9_-]{1,84}$/;

export function encodeCursor(record: Pick<QueryRecord, 'createdAt' | 'id'>): string {
  return Buffer.from(`${record.createdAt.toISOString()}|${record.id}`).toString('base64url');
}

/**
 * Parses an opaque cursor. Anything but a cursor this service could have issued is the client's
 * error (400, never quoting it): wrong encoding, a date that does not exist or lies outside
 * 1970..9999 (so no database ever sees a date it cannot store), or an id that is not a UUID.
 */
export function decodeCursor(cursor: string): Cursor {
  const text = CURSOR_ENCODING.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  const match = CURSOR_TEXT.exec(text);
  const createdAt = new Date(match?.[1] ?? Number.NaN);
  const valid =
    match !== null &&
    !Number.isNaN(createdAt.getTime()) &&
    createdAt.getTime() >= 0 &&
    // Rejects dates Date() would roll over, such as February 30th or hour 24.
    createdAt.toISOString() === match[1];
  if (!valid) {
    throw new ProblemException(HttpStatus.BAD_REQUEST, 'cursor is not valid', [
      { field: 'cursor', message: 'cursor is not valid' },
    ]);
  }
  return { createdAt, id: match[2] };
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
