import { describe, expect, it } from '@jest/globals';
import {
  ANSWER_BASE_BYTES,
  answerBounds,
  AnswerMeter,
  AnswerTooLargeError,
  type AnswerBounds,
} from './answer-bounds.js';

const settings = { maxAnswerBytes: 4 * 1024 ** 2, maxEventBytes: 256 * 1024 };
const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds the chunks to a meter; the bytes it accepted, and the error it stopped at. */
function run(bounds: AnswerBounds, sse: boolean, chunks: string[]) {
  const meter = new AnswerMeter(bounds, sse);
  let out = 0;
  try {
    for (const chunk of chunks) {
      meter.take(bytes(chunk));
      out += chunk.length;
    }
    return { out };
  } catch (error) {
    return { out, error };
  }
}

describe('answerBounds', () => {
  it('grows with max_tokens up to the operator ceiling', () => {
    expect(answerBounds(200, settings)).toEqual({
      totalBytes: ANSWER_BASE_BYTES + 200 * 1024,
      eventBytes: 256 * 1024,
    });
    expect(answerBounds(100_000, settings).totalBytes).toBe(4 * 1024 ** 2);
  });

  it('never lets one event be larger than the whole answer', () => {
    expect(answerBounds(10, { maxAnswerBytes: 64 * 1024, maxEventBytes: 1024 ** 2 })).toEqual({
      totalBytes: 64 * 1024,
      eventBytes: 64 * 1024,
    });
  });
});

describe('AnswerMeter', () => {
  const bounds = { totalBytes: 100, eventBytes: 20 };

  it('passes a body within its bound as it is', () => {
    expect(run(bounds, false, ['x'.repeat(60), 'y'.repeat(40)])).toEqual({ out: 100 });
  });

  it('fails at the first chunk over the total, having passed nothing of it', () => {
    const { out, error } = run(bounds, false, ['x'.repeat(60), 'y'.repeat(41)]);
    expect(out).toBe(60);
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect((error as AnswerTooLargeError).bound).toBe('body');
  });

  it('measures SSE events between blank lines, LF or CRLF', () => {
    const events = ['data: 123456789\n\n', 'data: 123456789\r\n\r\n', 'data: 12345678\n\n'];
    expect(run(bounds, true, [events.join('')])).toEqual({ out: 52 });
  });

  it('fails on one event over its bound, even within one chunk that ends it', () => {
    const { error } = run(bounds, true, ['data: 12345678901234567890\n\n']);
    expect((error as AnswerTooLargeError).bound).toBe('event');
  });

  it('counts an event across chunks and lines until its blank line', () => {
    const { error } = run(bounds, true, ['data: 1234', '5\ndata: 6', '7890123\n']);
    expect((error as AnswerTooLargeError).bound).toBe('event');
    expect(run(bounds, true, ['data: 1234', '5\n', '\ndata: 6', '7890123\n\n'])).toEqual({
      out: 29,
    });
  });

  it('ignores event sizes of a body that is not SSE', () => {
    expect(run(bounds, false, ['x'.repeat(90)])).toEqual({ out: 90 });
  });
});
