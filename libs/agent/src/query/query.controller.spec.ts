/* eslint-disable @typescript-eslint/require-await -- scripted query streams that yield at once */
import { describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import { MetricsRegistry, type ResponseControls } from '@app/platform';
import { ProviderError } from '../providers/provider-error.js';
import { admittedAccess } from '../testing/admitted-access.js';
import { SseStreams } from '../streaming/sse-streams.js';
import type { CreateQueryDto } from './create-query.dto.js';
import { QueryController } from './query.controller.js';
import type { QueryInput, QueryResult, QueryService, QueryStreamEvent } from './query.service.js';

const result: QueryResult = {
  id: '0b6c1c0e-8f3a-4d2b-9f7e-1a2b3c4d5e6f',
  response: 'Processed: hi',
  tokensUsed: 5,
  promptTokens: 2,
  completionTokens: 3,
  finishReason: 'stop',
  provider: 'builtin',
  model: 'builtin-echo',
  clientId: 'acme',
  cache: 'HIT',
};

/** The controller over a scripted query use-case that records what it was asked. */
function make(events: () => AsyncGenerator<QueryStreamEvent> = async function* () {}) {
  const inputs: QueryInput[] = [];
  const queries = {
    query: (input: QueryInput) => {
      inputs.push(input);
      return Promise.resolve(result);
    },
    stream: (input: QueryInput) => {
      inputs.push(input);
      return events();
    },
  } as unknown as QueryService;
  const logger = { error: jest.fn() } as unknown as PinoLogger;
  const { access, charged, signal } = admittedAccess('acme');
  const controller = new QueryController(
    queries,
    new SseStreams(new MetricsRegistry(), 60_000, logger),
    access,
  );
  const headers: Record<string, string> = {};
  const res = {
    header: (name: string, value: string) => {
      headers[name] = value;
      return res;
    },
  } as unknown as ResponseControls;
  const ask = (
    body: Partial<CreateQueryDto>,
    options: { cacheControl?: string; accept?: string; requestId?: string | null } = {},
  ) =>
    controller.query(
      {
        body: { prompt: 'hi', ...body },
        id: options.requestId === undefined ? 'req-1' : (options.requestId ?? undefined),
        headers: {
          ...(options.cacheControl === undefined ? {} : { 'cache-control': options.cacheControl }),
          ...(options.accept === undefined ? {} : { accept: options.accept }),
        },
      } as unknown as Parameters<QueryController['query']>[0],
      res,
    );
  return { ask, inputs, headers, charged, signal };
}

async function drain(body: unknown): Promise<string> {
  let text = '';
  for await (const piece of body as AsyncIterable<string>) text += piece;
  return text;
}

describe('QueryController', () => {
  it('answers the query in the snake_case body, names the cache outcome, charges its tokens', async () => {
    const { ask, inputs, headers, signal, charged } = make();
    expect(await ask({ max_tokens: 50 })).toEqual({
      response: 'Processed: hi',
      tokens_used: 5,
      id: result.id,
      provider: 'builtin',
      model: 'builtin-echo',
      client_id: 'acme',
    });
    expect(headers).toEqual({ 'X-Cache': 'HIT' });
    expect(charged).toEqual([5]);
    expect(inputs).toEqual([
      {
        prompt: 'hi',
        maxTokens: 50,
        bypassCache: false,
        requestId: 'req-1',
        clientId: 'acme',
        signal,
      },
    ]);
  });

  it('leaves max_tokens to the use-case when absent or null', async () => {
    const { ask, inputs } = make();
    await ask({});
    await ask({ max_tokens: null as unknown as number });
    expect(inputs.map((i) => i.maxTokens)).toEqual([undefined, undefined]);
  });

  it.each([
    ['no-cache', true],
    ['max-age=0, No-Cache', true],
    ['no-store', false],
    ['xno-cache', false],
    [undefined, false],
  ])('reads Cache-Control %s as bypassing the cache: %s', async (cacheControl, bypass) => {
    const { ask, inputs } = make();
    await ask({}, { cacheControl });
    expect(inputs[0].bypassCache).toBe(bypass);
  });

  it.each([
    [{}, undefined, false],
    [{ stream: true }, undefined, true],
    [{}, 'text/event-stream', true],
    [{}, 'application/json, Text/Event-Stream;q=0.5', true],
    [{}, 'application/json', false],
    [{}, 'text/event-streams', false],
    [{ stream: false }, 'text/event-stream', false],
  ])('with body %j and Accept %s streams: %s', async (body, accept, streams) => {
    const { ask, headers } = make();
    const answer = await ask(body, { accept });
    expect(Symbol.asyncIterator in (answer as object)).toBe(streams);
    expect(headers['Content-Type']).toBe(streams ? 'text/event-stream; charset=utf-8' : undefined);
    await drain(streams ? answer : []);
  });

  it('streams chunk events, then a done event, with the SSE and cache headers', async () => {
    const { ask, headers, charged, inputs, signal } = make(async function* () {
      yield { cache: 'MISS' };
      yield { text: 'Processed:' };
      yield { text: ' hi' };
      yield { result };
    });
    const text = await drain(await ask({ stream: true }, { cacheControl: 'no-cache' }));
    expect(text).toBe(
      'event: chunk\ndata: {"text":"Processed:"}\n\n' +
        'event: chunk\ndata: {"text":" hi"}\n\n' +
        `event: done\ndata: {"id":"${result.id}","tokens_used":5,"provider":"builtin","model":"builtin-echo","cache":"HIT"}\n\n`,
    );
    expect(headers).toEqual({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      'X-Cache': 'MISS',
    });
    expect(charged).toEqual([5]);
    expect(inputs[0]).toEqual({
      prompt: 'hi',
      maxTokens: undefined,
      bypassCache: true,
      requestId: 'req-1',
      clientId: 'acme',
      signal,
    });
  });

  it('ends a stream that fails after its first event with a problem event', async () => {
    const { ask } = make(async function* () {
      yield { text: 'x' };
      throw new ProviderError('interrupted', 'LLM provider stream ended early');
    });
    const text = await drain(await ask({ stream: true }));
    expect(text).toBe(
      'event: chunk\ndata: {"text":"x"}\n\n' +
        'event: error\ndata: {"type":"about:blank","title":"Bad Gateway","status":502,' +
        '"detail":"LLM provider stream ended early","instance":"/query","request_id":"req-1"}\n\n',
    );
  });
});
