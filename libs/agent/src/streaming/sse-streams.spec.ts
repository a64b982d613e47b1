/* eslint-disable @typescript-eslint/require-await -- scripted sources that yield at once */
import { describe, expect, it } from '@jest/globals';
import { HttpStatus } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { MetricsRegistry, ProblemException } from '@app/platform';
import { sseEvent } from './sse.js';
import { SseStreams } from './sse-streams.js';

const logger = { error: () => undefined } as unknown as PinoLogger;
const abortError = () =>
  Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
const options = {
  frame: (item: string) => (item === 'silent' ? '' : sseEvent({ item })),
  fail: (error: unknown) => sseEvent({ failed: (error as Error).message }, 'error'),
  end: sseEvent('[DONE]'),
};

async function drain(body: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of body) text += piece;
  return text;
}

describe('SseStreams', () => {
  const make = (keepAliveMs = 1_000, stallTimeoutMs = 30_000) => {
    const registry = new MetricsRegistry();
    return { streams: new SseStreams(registry, keepAliveMs, logger, stallTimeoutMs), registry };
  };

  it('stops the source of a client that reads nothing for too long, with no end marker', async () => {
    const { streams, registry } = make(1_000, 50);
    let stopped = false;
    async function* source() {
      try {
        yield 'a';
        yield 'b';
      } finally {
        stopped = true;
      }
    }
    const body = streams.body(source(), options);
    expect((await body.next()).value).toBe('data: {"item":"a"}\n\n');
    // The client reads nothing: the source is stopped while the body waits to be read.
    await sleep(120);
    expect(stopped).toBe(true);
    expect(await body.next()).toEqual({ done: true, value: undefined });
    expect(await registry.getSingleMetricAsString('sse_streams_stalled_total')).toMatch(/ 1$/);
  });

  it('lets a client that reads in time keep its stream', async () => {
    const { streams } = make(1_000, 100);
    async function* source() {
      yield 'a';
      yield 'b';
    }
    const body = streams.body(source(), options);
    let text = '';
    for await (const piece of body) {
      text += piece;
      await sleep(30);
    }
    expect(text).toContain('[DONE]');
  });

  it('frames each item as one event and ends with the end marker', async () => {
    const { streams } = make();
    async function* source() {
      yield 'a';
      yield 'silent';
      yield 'b';
    }
    expect(await drain(streams.body(source(), options))).toBe(
      'data: {"item":"a"}\n\ndata: {"item":"b"}\n\ndata: [DONE]\n\n',
    );
  });

  it('throws a failure that comes before anything was sent, so the client gets a real status', async () => {
    const { streams } = make();
    // eslint-disable-next-line require-yield
    async function* source(): AsyncGenerator<string> {
      throw new ProblemException(HttpStatus.BAD_GATEWAY, 'LLM provider is unreachable');
    }
    await expect(drain(streams.body(source(), options))).rejects.toMatchObject({ status: 502 });
  });

  it('turns a failure after the first event into an error event, without the end marker', async () => {
    const { streams } = make();
    async function* source() {
      yield 'a';
      throw new ProblemException(HttpStatus.BAD_GATEWAY, 'cut');
    }
    expect(await drain(streams.body(source(), options))).toBe(
      'data: {"item":"a"}\n\nevent: error\ndata: {"failed":"cut"}\n\n',
    );
  });

  it('sends keep-alive comments while the source is silent', async () => {
    const { streams } = make(40);
    async function* source() {
      // Ten keep-alive periods: at least two ticks even when a loaded machine delays timers.
      await sleep(400);
      yield 'late';
    }
    const text = await drain(streams.body(source(), options));
    expect(text.match(/^: keep-alive$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text.endsWith('data: {"item":"late"}\n\ndata: [DONE]\n\n')).toBe(true);
  });

  it('stops the source when the consumer stops, and counts open streams', async () => {
    const { streams, registry } = make();
    let stopped = false;
    async function* source() {
      try {
        for (;;) yield 'x';
      } finally {
        stopped = true;
      }
    }
    const body = streams.body(source(), options);
    await body.next();
    expect((await registry.getSingleMetricAsString('sse_streams_active')).trim()).toMatch(/ 1$/);
    await body.return(undefined);
    expect(stopped).toBe(true);
    expect((await registry.getSingleMetricAsString('sse_streams_active')).trim()).toMatch(/ 0$/);
  });

  it('ends quietly, without an error event, when the client went away mid-stream', async () => {
    const { streams } = make();
    async function* source() {
      yield 'a';
      throw abortError();
    }
    expect(await drain(streams.body(source(), options))).toBe('data: {"item":"a"}\n\n');
  });

  it('logs an unexpected failure after the first event, but not an HTTP one', async () => {
    const errors: unknown[][] = [];
    const recording = { error: (...args: unknown[]) => errors.push(args) } as unknown as PinoLogger;
    const streams = new SseStreams(new MetricsRegistry(), 1_000, recording);
    const bug = new Error('bug');
    async function* failing(error: Error) {
      yield 'a';
      throw error;
    }
    await drain(streams.body(failing(bug), options));
    expect(errors).toEqual([[{ err: bug }, 'stream failed']]);
    await drain(streams.body(failing(new ProblemException(HttpStatus.BAD_GATEWAY, 'x')), options));
    expect(errors).toHaveLength(1);
  });

  it('sends no end marker when none is configured', async () => {
    const { streams } = make();
    async function* source() {
      yield 'a';
    }
    const withoutEnd = { frame: options.frame, fail: options.fail };
    expect(await drain(streams.body(source(), withoutEnd))).toBe('data: {"item":"a"}\n\n');
  });

  it('rethrows an abort that comes before anything was sent', async () => {
    const { streams, registry } = make();
    // eslint-disable-next-line require-yield
    async function* source(): AsyncGenerator<string> {
      throw abortError();
    }
    await expect(drain(streams.body(source(), options))).rejects.toThrow('aborted');
    expect((await registry.getSingleMetricAsString('sse_streams_active')).trim()).toMatch(/ 0$/);
  });

  it('still throws a failure that follows only items rendered as nothing', async () => {
    const { streams } = make();
    async function* source() {
      yield 'silent';
      throw new ProblemException(HttpStatus.BAD_GATEWAY, 'LLM provider is unreachable');
    }
    await expect(drain(streams.body(source(), options))).rejects.toMatchObject({ status: 502 });
  });
});
