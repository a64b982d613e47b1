import { describe, expect, it } from '@jest/globals';
import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/platform';
import { problemOf } from './problem-event.js';
import { KEEP_ALIVE_TICK, SSE_HEADERS, SSE_KEEP_ALIVE, sseEvent, withKeepAlive } from './sse.js';

describe('sseEvent', () => {
  it('writes JSON data as one data line, with an event name when given', () => {
    expect(sseEvent({ a: 'x\ny' })).toBe('data: {"a":"x\\ny"}\n\n');
    expect(sseEvent({ a: 1 }, 'error')).toBe('event: error\ndata: {"a":1}\n\n');
    expect(sseEvent('[DONE]')).toBe('data: [DONE]\n\n');
    expect(sseEvent('[DONE]', '')).toBe('data: [DONE]\n\n');
  });

  it('has headers that keep proxies from caching, transforming or buffering the stream', () => {
    expect(SSE_HEADERS).toEqual({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    expect(SSE_KEEP_ALIVE).toBe(': keep-alive\n\n');
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withKeepAlive', () => {
  it('passes a prompt source through without ticks and stops when it ends', async () => {
    async function* source() {
      yield await Promise.resolve(1);
      yield 2;
    }
    const seen: unknown[] = [];
    for await (const value of withKeepAlive(source(), 1000)) seen.push(value);
    expect(seen).toEqual([1, 2]);
  });

  it('ticks while the source is silent, then yields its value', async () => {
    async function* source() {
      await sleep(130);
      yield 'late';
    }
    const seen: unknown[] = [];
    for await (const value of withKeepAlive(source(), 50)) seen.push(value);
    expect(seen.at(-1)).toBe('late');
    const ticks = seen.filter((v) => v === KEEP_ALIVE_TICK).length;
    expect(ticks).toBeGreaterThanOrEqual(1);
    expect(ticks).toBeLessThanOrEqual(3);
  });

  it('stops an idle source when the consumer stops', async () => {
    let finished = false;
    async function* source() {
      try {
        yield await Promise.resolve(1);
        yield 2;
      } finally {
        finished = true;
      }
    }
    const stream = withKeepAlive(source(), 1000);
    expect((await stream.next()).value).toBe(1);
    await stream.return(undefined);
    expect(finished).toBe(true);
  });

  it('asks a source stopped mid-work to stop without waiting for it', async () => {
    let returned = false;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<number>>(() => undefined),
        return: () => {
          returned = true;
          return Promise.reject(new Error('ignored'));
        },
      }),
    };
    const stream = withKeepAlive(source, 20);
    expect((await stream.next()).value).toBe(KEEP_ALIVE_TICK);
    await stream.return(undefined);
    expect(returned).toBe(true);
  });
});

describe('problemOf', () => {
  it('keeps the detail of a problem exception and the request id', () => {
    expect(
      problemOf(new ProblemException(HttpStatus.BAD_GATEWAY, 'upstream failed'), '/query', 'r-1'),
    ).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: 'upstream failed',
      instance: '/query',
      request_id: 'r-1',
    });
  });

  it('never quotes an unexpected error, and leaves out a missing request id', () => {
    expect(problemOf(new Error('secret host 10.0.0.1'), '/query', null)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      instance: '/query',
    });
  });

  it('describes another HTTP exception by its status text only', () => {
    const problem = problemOf(new BadRequestException('quoting the input'), '/v1', null);
    expect(problem).toMatchObject({ title: 'Bad Request', status: 400, detail: 'Bad Request' });
    expect(problemOf(new ProblemException(599 as HttpStatus, 'odd'), '/v1', null)).toMatchObject({
      title: 'Error',
      status: 599,
    });
    expect(problemOf(new HttpException('quoting', 599), '/v1', null)).toMatchObject({
      title: 'Error',
      status: 599,
      detail: 'Error',
    });
  });
});

describe('withKeepAlive stopping', () => {
  it('waits for an idle source to finish stopping', async () => {
    let finished = false;
    async function* source() {
      try {
        yield 1;
        yield 2;
      } finally {
        await sleep(20);
        finished = true;
      }
    }
    const stream = withKeepAlive(source(), 1000);
    await stream.next();
    await stream.return(undefined);
    expect(finished).toBe(true);
  });

  it('stops a source that cannot be asked to stop, idle or mid-work', async () => {
    let calls = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          calls++ === 0
            ? Promise.resolve({ done: false, value: 1 })
            : new Promise<IteratorResult<number>>(() => undefined),
      }),
    };
    const idle = withKeepAlive(source, 1000);
    expect((await idle.next()).value).toBe(1);
    await expect(idle.return(undefined)).resolves.toMatchObject({ done: true });

    const busy = withKeepAlive(source, 20);
    expect((await busy.next()).value).toBe(KEEP_ALIVE_TICK);
    await expect(busy.return(undefined)).resolves.toMatchObject({ done: true });
  });
});
