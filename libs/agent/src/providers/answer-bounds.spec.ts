import { describe, expect, it } from '@jest/globals';
import {
  ANSWER_BASE_BYTES,
  ANSWER_BOUNDS,
  answerBounds,
  AnswerTooLargeError,
  boundedFetch,
  boundingStream,
  type AnswerBounds,
} from './answer-bounds.js';

const settings = { maxAnswerBytes: 4 * 1024 ** 2, maxEventBytes: 256 * 1024 };
const bytes = (text: string) => new TextEncoder().encode(text);

/** Pushes the chunks through a bounding stream; resolves to the bytes out, or the error. */
async function run(bounds: AnswerBounds, sse: boolean, chunks: string[]) {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(bytes(chunk));
      controller.close();
    },
  });
  let out = 0;
  try {
    for await (const chunk of source.pipeThrough(boundingStream(bounds, sse))) {
      out += chunk.byteLength;
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

describe('boundingStream', () => {
  const bounds = { totalBytes: 100, eventBytes: 20 };

  it('passes a body within its bound as it is', async () => {
    expect(await run(bounds, false, ['x'.repeat(60), 'y'.repeat(40)])).toEqual({ out: 100 });
  });

  it('fails at the first chunk over the total, having passed nothing of it', async () => {
    const { out, error } = await run(bounds, false, ['x'.repeat(60), 'y'.repeat(41)]);
    expect(out).toBe(60);
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect((error as AnswerTooLargeError).bound).toBe('body');
  });

  it('measures SSE events between blank lines, LF or CRLF', async () => {
    const events = ['data: 123456789\n\n', 'data: 123456789\r\n\r\n', 'data: 12345678\n\n'];
    expect(await run(bounds, true, [events.join('')])).toEqual({ out: 52 });
  });

  it('fails on one event over its bound, even within one chunk that ends it', async () => {
    const { error } = await run(bounds, true, ['data: 12345678901234567890\n\n']);
    expect((error as AnswerTooLargeError).bound).toBe('event');
  });

  it('counts an event across chunks and lines until its blank line', async () => {
    const { error } = await run(bounds, true, ['data: 1234', '5\ndata: 6', '7890123\n']);
    expect((error as AnswerTooLargeError).bound).toBe('event');
    expect(await run(bounds, true, ['data: 1234', '5\n', '\ndata: 6', '7890123\n\n'])).toEqual({
      out: 29,
    });
  });

  it('ignores event sizes of a body that is not SSE', async () => {
    expect(await run(bounds, false, ['x'.repeat(90)])).toEqual({ out: 90 });
  });
});

describe('boundedFetch', () => {
  const bounds: AnswerBounds = { totalBytes: 1024, eventBytes: 1024 };
  const reply = (body: string, headers: Record<string, string>) => () =>
    Promise.resolve(new Response(body, { status: 200, headers }));

  it('leaves a request without bounds alone', async () => {
    const response = await boundedFetch(reply('x'.repeat(4096), {}))('http://upstream/');
    expect((await response.text()).length).toBe(4096);
  });

  it('passes a plain body of a declared length within the bound as it came', async () => {
    const original = new Response('{"ok":true}', { headers: { 'content-length': '11' } });
    const fetch = boundedFetch(() => Promise.resolve(original));
    const response = await fetch('http://upstream/', { [ANSWER_BOUNDS]: bounds } as RequestInit);
    expect(response).toBe(original);
  });

  it('counts a compressed body whatever its declared length', async () => {
    const fetch = boundedFetch(
      reply('x'.repeat(4096), { 'content-length': '100', 'content-encoding': 'gzip' }),
    );
    const response = await fetch('http://upstream/', { [ANSWER_BOUNDS]: bounds } as RequestInit);
    await expect(response.text()).rejects.toThrow(AnswerTooLargeError);
  });

  it('bounds the body of a request that carries bounds', async () => {
    const fetch = boundedFetch(reply('x'.repeat(4096), { 'content-type': 'application/json' }));
    const response = await fetch('http://upstream/', { [ANSWER_BOUNDS]: bounds } as RequestInit);
    await expect(response.text()).rejects.toThrow(AnswerTooLargeError);
  });

  it('cancels a body whose declared length is over the bound, unread', async () => {
    let cancelled = false;
    const body = new ReadableStream({
      cancel: () => {
        cancelled = true;
      },
    });
    const fetch = () =>
      Promise.resolve(new Response(body, { headers: { 'content-length': '2048' } }));
    const response = await boundedFetch(fetch)('http://upstream/', {
      [ANSWER_BOUNDS]: bounds,
    } as RequestInit);
    await expect(response.arrayBuffer()).rejects.toThrow(AnswerTooLargeError);
    expect(cancelled).toBe(true);
  });
});
