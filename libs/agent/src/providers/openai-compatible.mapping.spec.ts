import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { TokenCounter } from '../tokens/token-counter.js';
import type { CompletionPart } from './llm-provider.js';
import {
  OpenAiCompatibleProvider,
  type OpenAiCompatibleOptions,
} from './openai-compatible.provider.js';
import { ProviderError } from './provider-error.js';
import { withRetries } from './retrying-provider.js';

/** Counts characters: enough to see which texts were counted. */
const lengthCounter = { count: (text: string) => Promise.resolve(text.length) } as TokenCounter;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('OpenAiCompatibleProvider answers and failures', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler = (_req, res) => res.end();
  let requests: IncomingMessage[] = [];
  let bodies: unknown[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req);
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(raw));
        handler(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const provider = ({
    maxRetries = 0,
    ...options
  }: Partial<OpenAiCompatibleOptions> & { maxRetries?: number } = {}) => {
    requests = [];
    bodies = [];
    return withRetries(
      new OpenAiCompatibleProvider(
        { baseUrl, model: 'test-model', timeoutMs: 2_000, ...options },
        lengthCounter,
      ),
      maxRetries,
    );
  };
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    handler = (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
  };
  const completionBody = (message: object, extra: object = {}) => ({
    model: 'served-model',
    choices: [{ message, finish_reason: 'stop' }],
    usage: { prompt_tokens: 7, completion_tokens: 3 },
    ...extra,
  });
  /** What a call fails with (a ProviderError is expected). */
  const failureOf = async (call: Promise<unknown>): Promise<ProviderError> => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  };
  const ask = (p = provider()) => p.complete({ prompt: 'hello', maxTokens: 10 });

  it.each([
    [429, 'rate_limited'],
    [408, 'server_error'],
    [409, 'server_error'],
    [425, 'server_error'],
    [500, 'server_error'],
    [503, 'server_error'],
    [400, 'rejected'],
    [404, 'rejected'],
    [422, 'rejected'],
  ])('classifies an answer with status %i as %s', async (status, kind) => {
    answer(status, { error: { message: 'upstream text' } });
    const error = await failureOf(ask());
    expect(error.kind).toBe(kind);
    expect(error.detail).toBe(`LLM provider answered with status ${status}`);
    expect(requests).toHaveLength(1);
  });

  it.each([
    [{ 'retry-after-ms': '1200' }, 1200],
    [{ 'retry-after-ms': '0' }, 0],
    [{ 'retry-after-ms': '60000' }, 5000],
    [{ 'retry-after-ms': '-5', 'retry-after': '1' }, 1000],
    [{ 'retry-after': '2' }, 2000],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after': '60' }, 5000],
    [{ 'retry-after': '-1' }, undefined],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads the delay a 429 asks for from %j, capped at five seconds', async (headers, ms) => {
    answer(429, {}, headers);
    expect((await failureOf(ask())).retryAfterMs).toBe(ms);
  });

  it('waits what a 429 asks for before it retries', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'retry-after-ms': '800' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completionBody({ content: 'late' })));
    };
    const started = performance.now();
    await expect(ask(provider({ maxRetries: 1 }))).resolves.toMatchObject({ text: 'late' });
    // Between half and all of the asked delay (jitter), never the default backoff alone.
    expect(performance.now() - started).toBeGreaterThanOrEqual(395);
    expect(calls).toBe(2);
  });

  it('backs off exponentially between retries when the server names no delay', async () => {
    const arrivals: number[] = [];
    handler = (_req, res) => {
      arrivals.push(performance.now());
      res.writeHead(arrivals.length < 3 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completionBody({ content: 'at last' })));
    };
    // The shortest jitter: half of each step, so the waits are 125 ms, then 250 ms.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      await expect(ask(provider({ maxRetries: 2 }))).resolves.toMatchObject({ text: 'at last' });
    } finally {
      random.mockRestore();
    }
    const [first, second] = [arrivals[1] - arrivals[0], arrivals[2] - arrivals[1]];
    expect(first).toBeGreaterThanOrEqual(120);
    expect(first).toBeLessThan(240);
    expect(second).toBeGreaterThanOrEqual(245);
    expect(second).toBeLessThan(480);
  });

  it('does not retry a timeout: the generation may still be running upstream', async () => {
    handler = (_req, res) => {
      setTimeout(() => res.end(), 400);
    };
    const error = await failureOf(ask(provider({ timeoutMs: 100, maxRetries: 2 })));
    expect(error.kind).toBe('timeout');
    expect(requests).toHaveLength(1);
  });

  it('reports an unreachable server as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const unreachable = new OpenAiCompatibleProvider(
      { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', timeoutMs: 2_000 },
      lengthCounter,
    );
    const error = await failureOf(unreachable.complete({ prompt: 'x', maxTokens: 1 }));
    expect(error.kind).toBe('unavailable');
    expect(error.detail).toBe('LLM provider is unreachable');
  });

  it('reports an answer without a completion text as invalid', async () => {
    answer(200, { model: 'm', choices: [{ message: { content: null } }] });
    const error = await failureOf(ask());
    expect(error.kind).toBe('invalid_response');
    expect(error.detail).toBe('LLM provider sent no completion');
    for (const body of [{ model: 'm' }, { choices: [] }, { choices: [{}] }]) {
      answer(200, body);
      expect((await failureOf(ask())).detail).toBe('LLM provider sent no completion');
    }
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('reads an answer the server compressed with %s unasked', async (coding, compress) => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding });
      res.end(compress(Buffer.from(JSON.stringify(completionBody({ content: 'packed' })))));
    };
    await expect(ask()).resolves.toMatchObject({ text: 'packed' });
    expect(requests[0].headers['accept-encoding']).toBeUndefined();
  });

  it('follows no redirect: the key is never sent on to another address', async () => {
    answer(307, {}, { location: 'http://127.0.0.1:9/v1/chat/completions' });
    const error = await failureOf(ask());
    expect(error).toMatchObject({
      kind: 'rejected',
      detail: 'LLM provider answered with status 307',
    });
    expect(requests).toHaveLength(1);
  });

  it('reports an answer in an unknown content coding as invalid', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'zstd' });
      res.end('(;/');
    };
    expect((await failureOf(ask())).kind).toBe('invalid_response');
  });

  it('reports a body that is not JSON as an invalid answer', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{not json');
    };
    const error = await failureOf(ask());
    expect(error.kind).toBe('invalid_response');
    expect(error.detail).toBe('LLM provider sent an invalid answer');
  });

  it.each([
    ['length', 'length'],
    ['content_filter', 'content_filter'],
    ['tool_calls', 'tool_calls'],
    [null, 'stop'],
  ])('maps finish reason %s to %s', async (reason, expected) => {
    answer(200, {
      model: 'm',
      choices: [{ message: { content: 'x' }, finish_reason: reason }],
    });
    expect((await ask()).finishReason).toBe(expected);
  });

  it('keeps at most 128 characters of the model the server names, else its own', async () => {
    answer(200, completionBody({ content: 'x' }, { model: 'm'.repeat(200) }));
    expect((await ask()).model).toBe('m'.repeat(128));
    for (const model of ['', 42, null]) {
      answer(200, completionBody({ content: 'x' }, { model }));
      expect((await ask()).model).toBe('test-model');
    }
  });

  it('trusts only non-negative integer token counts from the server', async () => {
    answer(
      200,
      completionBody({ content: 'four' }, { usage: { prompt_tokens: 0, completion_tokens: 0 } }),
    );
    expect(await ask()).toMatchObject({ promptTokens: 0, completionTokens: 0 });
    answer(
      200,
      completionBody({ content: 'four' }, { usage: { prompt_tokens: -1, completion_tokens: 1.5 } }),
    );
    // Counted locally instead: the prompt and the answer.
    expect(await ask()).toMatchObject({ promptTokens: 'hello'.length, completionTokens: 4 });
  });

  it('names itself by its id, and sends a placeholder key when none is configured', async () => {
    answer(200, completionBody({ content: 'x' }));
    const named = provider({ id: 'openai-3' });
    expect(named.name).toBe('openai-3');
    expect(named.model).toBe('test-model');
    expect((await ask(named)).provider).toBe('openai-3');
    expect(requests[0].headers.authorization).toBe('Bearer none');
    expect(provider().name).toBe('openai');
  });

  it('accepts a base URL with trailing slashes', async () => {
    answer(200, completionBody({ content: 'x' }));
    await ask(provider({ baseUrl: `${baseUrl}///` }));
    expect(requests[0].url).toBe('/v1/chat/completions');
  });

  it('sends the whole conversation when one is given', async () => {
    answer(200, completionBody({ content: 'x' }, { usage: undefined }));
    const messages = [
      { role: 'system' as const, content: 'be brief' },
      { role: 'user' as const, content: 'hello' },
    ];
    const completion = await provider().complete({ prompt: 'hello', maxTokens: 10, messages });
    expect(bodies[0]).toMatchObject({ messages });
    // Without usage from the server, the prompt counted is the whole conversation.
    expect(completion.promptTokens).toBe('be brief\nhello'.length);
  });

  it('with params, sends them as given without a max_tokens of its own, and keeps the choices', async () => {
    const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const choices = [
      { index: 0, message: { content: null, tool_calls: [call] }, finish_reason: 'tool_calls' },
    ];
    answer(200, { model: 'served', choices, usage: { prompt_tokens: 5, completion_tokens: 2 } });
    const params = { temperature: 0.4, tools: [{ type: 'function', function: { name: 'f' } }] };
    const messages = [
      { role: 'user' as const, content: 'hello' },
      { role: 'assistant' as const, content: '', tool_calls: [call as never] },
      { role: 'tool' as const, content: 'done', tool_call_id: 'c1' },
    ];
    const completion = await provider().complete({
      prompt: 'hello',
      maxTokens: 4096,
      messages,
      params,
    });
    expect(bodies[0]).toEqual({
      model: 'test-model',
      ...params,
      // A turn that only calls tools goes out with null content.
      messages: [messages[0], { ...messages[1], content: null }, messages[2]],
    });
    expect(completion).toMatchObject({ text: '', finishReason: 'tool_calls', choices });
  });
});

describe('OpenAiCompatibleProvider streamed failures', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler = (_req, res) => res.end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => handler(req, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const chunk = (body: object) => `data: ${JSON.stringify(body)}\n\n`;
  const stream = async (params?: Record<string, unknown>) => {
    const provider = new OpenAiCompatibleProvider(
      { baseUrl, model: 'm', timeoutMs: 2_000 },
      lengthCounter,
    );
    const parts: CompletionPart[] = [];
    for await (const part of provider.stream({ prompt: 'hi', maxTokens: 10, params })) {
      parts.push(part);
    }
    return parts;
  };

  it('fails before the first part with the mapped status', async () => {
    handler = (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{}');
    };
    await expect(stream()).rejects.toMatchObject({
      kind: 'server_error',
      detail: 'LLM provider answered with status 503',
    });
  });

  it('names a connection cut mid-stream an interruption', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ model: 'm-1', choices: [{ index: 0, delta: { content: 'Hel' } }] }));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    await expect(stream()).rejects.toMatchObject({
      kind: 'interrupted',
      detail: 'LLM provider sent an invalid answer',
    });
  });

  it('names an event of type error mid-stream as such', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: error\n${chunk({ message: 'boom' })}`);
    };
    await expect(stream()).rejects.toMatchObject({
      kind: 'interrupted',
      detail: 'LLM provider reported an error mid-stream',
    });
  });

  it('names an error event mid-stream as such', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ model: 'm-1', choices: [{ index: 0, delta: { content: 'Hel' } }] }));
      res.end(chunk({ error: { message: 'boom', type: 'server_error' } }));
    };
    await expect(stream()).rejects.toMatchObject({
      kind: 'interrupted',
      detail: 'LLM provider reported an error mid-stream',
    });
  });

  it('counts tokens locally and keeps the finish reason when the stream has no usage', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ model: 'm-1', choices: [{ index: 0, delta: { content: 'abc' } }] }));
      res.write(
        chunk({ model: 'm-2', choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }),
      );
      res.end('data: [DONE]\n\n');
    };
    const parts = await stream();
    expect(parts).toEqual([
      { text: 'abc' },
      {
        completion: {
          text: 'abc',
          model: 'm-1',
          provider: 'openai',
          promptTokens: 2,
          completionTokens: 3,
          finishReason: 'length',
        },
      },
    ]);
  });

  it('with params, hands on every chunk as sent, tool-call and empty deltas included', async () => {
    const sent = [
      // As OpenAI sends them, with finish_reason null (the SDK fills in one that is missing).
      {
        id: 'up-1',
        model: 'm-1',
        choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }],
      },
      {
        id: 'up-1',
        model: 'm-1',
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }],
            },
            finish_reason: null,
          },
        ],
      },
      { id: 'up-1', model: 'm-1', choices: [{ index: 0, delta: {}, finish_reason: null }] },
      { id: 'up-1', model: 'm-1', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      { id: 'up-1', model: 'm-1', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } },
    ];
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const body of sent) res.write(chunk(body));
      res.end('data: [DONE]\n\n');
    };
    const parts = await stream({ tools: [] });
    expect(parts.slice(0, -1)).toEqual(sent.map((body) => ({ text: '', chunk: body })));
    expect(parts.at(-1)).toMatchObject({
      completion: { text: '', promptTokens: 4, completionTokens: 2, finishReason: 'tool_calls' },
    });
  });
});
