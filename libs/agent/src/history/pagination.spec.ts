import { describe, expect, it } from '@jest/globals';
import { ProblemException } from '@app/platform';
import { decodeCursor, encodeCursor, isAfter, paginate } from './pagination.js';
import type { QueryRecord } from './query-record.js';

const ID = '3f1c0b5e-9a6d-4c1e-8f0a-2b7d9e4c6a10';
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const record = (ms: number, id: string) => ({ createdAt: new Date(ms), id }) as QueryRecord;

/** The problem a decode throws, or undefined when it succeeds. */
function problemOf(cursor: string): ProblemException | undefined {
  try {
    decodeCursor(cursor);
    return undefined;
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
}

describe('cursors', () => {
  it('round-trips the position of a record', () => {
    const createdAt = new Date('2026-11-30T07:00:00.123Z');
    expect(decodeCursor(encodeCursor({ createdAt, id: ID }))).toEqual({ createdAt, id: ID });
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['empty', ''],
    ['too long', 'A'.repeat(85)],
    ['no separator', b64(`2026-01-01T00:00:00.000Z${ID}`)],
    ['id not a uuid', b64('2026-01-01T00:00:00.000Z|42')],
    ['upper-case id', b64(`2026-01-01T00:00:00.000Z|${ID.toUpperCase()}`)],
    ['trailing data', b64(`2026-01-01T00:00:00.000Z|${ID}|x`)],
    ['leading data', b64(`x2026-01-01T00:00:00.000Z|${ID}`)],
    ['padded base64', Buffer.from(`2026-01-01T00:00:00.000Z|${ID}`).toString('base64')],
    ['date without milliseconds', b64(`2026-01-01T00:00:00Z|${ID}`)],
    ['date with an offset', b64(`2026-01-01T00:00:00.000+01:00|${ID}`)],
    ['year -100000', b64(`-100000-01-01T00:00:00.000Z|${ID}`)],
    ['year +275760', b64(`+275760-09-13T00:00:00.000Z|${ID}`)],
    ['year 0', b64(`0000-01-01T00:00:00.000Z|${ID}`)],
    ['before 1970', b64(`1969-12-31T23:59:59.999Z|${ID}`)],
    ['February 30th', b64(`2026-02-30T00:00:00.000Z|${ID}`)],
    ['hour 24', b64(`2026-01-01T24:00:00.000Z|${ID}`)],
    ['a number', b64(`1764486000000|${ID}`)],
  ])('rejects a cursor that is %s with a 400 that does not quote it', (_, cursor) => {
    const problem = problemOf(cursor);
    expect(problem?.getStatus()).toBe(400);
    expect(problem?.detail).toBe('cursor is not valid');
    expect(JSON.stringify(problem?.errors)).toBe(
      JSON.stringify([{ field: 'cursor', message: 'cursor is not valid' }]),
    );
  });

  it('accepts the bounds of the range', () => {
    expect(problemOf(b64(`1970-01-01T00:00:00.000Z|${ID}`))).toBeUndefined();
    expect(problemOf(b64(`9999-12-31T23:59:59.999Z|${ID}`))).toBeUndefined();
  });
});

describe('paginate', () => {
  const a = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
  const b = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
  const records = [record(1000, a), record(3000, a), record(2000, a), record(2000, b)];

  it('orders newest first, then by id descending on equal times', () => {
    const page = paginate(records, 10);
    expect(page.items.map((r) => [r.createdAt.getTime(), r.id])).toEqual([
      [3000, a],
      [2000, b],
      [2000, a],
      [1000, a],
    ]);
    expect(page.nextCursor).toBeUndefined();
  });

  it('issues a cursor on a full page that resumes right after its last item', () => {
    const first = paginate(records, 2);
    expect(first.items.map((r) => r.id)).toEqual([a, b]);
    expect(first.nextCursor).toBeDefined();
    const second = paginate(records, 2, decodeCursor(first.nextCursor!));
    expect(second.items.map((r) => [r.createdAt.getTime(), r.id])).toEqual([
      [2000, a],
      [1000, a],
    ]);
    // A full last page still carries a cursor; the page after it is empty and carries none.
    const third = paginate(records, 2, decodeCursor(second.nextCursor!));
    expect(third).toEqual({ items: [] });
  });

  it('returns an empty page without a cursor for a limit of 0', () => {
    expect(paginate(records, 0)).toEqual({ items: [] });
  });

  it('treats records at the cursor position as already seen', () => {
    const at = { createdAt: new Date(2000), id: b };
    expect(isAfter(record(2000, b), at)).toBe(false);
    expect(isAfter(record(2000, a), at)).toBe(true);
    expect(isAfter(record(2001, a), at)).toBe(false);
    expect(isAfter(record(1, a), undefined)).toBe(true);
  });
});
