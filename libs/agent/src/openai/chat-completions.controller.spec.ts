/* eslint-disable @typescript-eslint/require-await -- scripted query streams that yield at once */
import { describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import { MetricsRegistry, ProblemException, type ResponseControls } from '@app/platform';
import type { LlmProvider } from '../providers/llm-provider.js';
import { ProviderError } from '../providers/provider-error.js';
import type {
  QueryInput,
  QueryResult,
  QueryService,
  QueryStreamEvent,
} from '../query/query.service.js';
import { SseStreams } from '../streaming/sse-streams.js';
import { admittedAccess } from '../testing/admitted-access.js';
import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { ChatCompletionsController } from './chat-completions.controller.js';
import { OpenAiRequestError } from './openai-error.js';

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
  cache: 'MISS',
};
const done: Omit<QueryResult, 'response'> = {
  id: result.id,
  tokensUsed: 5,
  promptTokens: 2,
  completionTokens: 3,
  finishReason: 'stop',
  provider: 'builtin',
  model: 'builtin-echo',
  clientId: 'acme',
  cache: 'MISS',
};

/** The controller over a scripted query use-case that records what it was asked. */
function make(
  events: QueryStreamEvent[] | (() => AsyncGenerator<QueryStreamEvent>) = [],
  clientId: string | null = 'acme',
) {
  const inputs: QueryInput[] = [];
  const queries = {
    query: (input: QueryInput) => {
      inputs.push(input);
      return Promise.resolve(result);
    },
    stream: (input: QueryInput) => {
      inputs.push(input);
      if (typeof events === 'function') return events();
      return (async function* () {
        for (const event of events) yield event;
      })();
    },
  } as unknown as QueryService;
  const provider = { name: 'builtin', model: 'builtin-echo' } as LlmProvider;
  const logger = { error: jest.fn() } as unknown as PinoLogger;
  const streams = new SseStreams(new MetricsRegistry(), 60_000, logger);
  const { access, charged, signal } = admittedAccess(clientId);
  const settings = {
    maxCompletionTokens: 4096,
    contextMaxBytes: 1024,
    conversationMaxBytes: 1024,
  };
  const controller = new ChatCompletionsController(queries, streams, provider, settings, access);
  const headers: Record<string, string> = {};
  const res = {
    header: (name: string, value: string) => {
      headers[name] = value;
      return res;
    },
  } as unknown as ResponseControls;
  const create = (
    body: Partial<ChatCompletionRequestDto>,
    options: { cacheControl?: string; requestId?: string } = {},
  ) =>
    controller.create(
      {
        body: { model: 'builtin-echo', messages: [{ role: 'user', content: 'hi' }], ...body },
        id: options.requestId ?? 'req-1',
        headers:
          options.cacheControl === undefined ? {} : { 'cache-control': options.cacheControl },
      } as unknown as Parameters<ChatCompletionsController['create']>[0],
      res,
    );
  return { create, inputs, headers, charged, signal };
}

async function drain(body: object | AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of body as AsyncIterable<string>) text += piece;
  return text;
}

/** The JSON of each `data:` line of an SSE body, `[DONE]` as a string. */
const dataOf = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .map((data): unknown => (data === '[DONE]' ? data : JSON.parse(data)));

async function errorOf(call: Promise<unknown>): Promise<OpenAiRequestError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAiRequestError);
  return error as OpenAiRequestError;
}

describe('ChatCompletionsController', () => {
  it('answers a chat.completion and passes the query and its parameters on', async () => {
    const { create, inputs, headers, signal } = make();
    const before = Math.floor(Date.now() / 1000);
    const body = (await create({ max_tokens: 50 })) as Record<string, unknown>;
    const after = Math.floor(Date.now() / 1000);
    expect(body).toMatchObject({
      id: `chatcmpl-${result.id}`,
      object: 'chat.completion',
      model: 'builtin-echo',
      choices: [{ message: { role: 'assistant', content: 'Processed: hi' } }],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    });
    expect(body.created).toBeGreaterThanOrEqual(before);
    expect(body.created).toBeLessThanOrEqual(after);
    expect(headers).toEqual({ 'X-Cache': 'MISS' });
    expect(inputs).toHaveLength(1);
    const [input] = inputs;
    expect(input).toEqual({
      id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      prompt: 'hi',
      messages: undefined,
      maxTokens: 50,
      params: { max_tokens: 50 },
      cacheable: true,
      bypassCache: false,
      requestId: 'req-1',
      clientId: 'acme',
      signal,
    });
  });

  it('passes a conversation of several turns on whole, the last user turn as the prompt', async () => {
    const { create, inputs } = make();
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'second' },
    ];
    await create({ messages });
    // No max_tokens sent: nothing goes upstream, and the operator's ceiling bounds the answer.
    expect(inputs[0]).toMatchObject({ prompt: 'second', messages, maxTokens: 4096, params: {} });
  });

  it.each([
    ['no-cache', true],
    ['No-Cache, max-age=0', true],
    ['max-age=0, no-cache', true],
    ['no-store', false],
    ['xno-cache', false],
    [undefined, false],
  ])('reads Cache-Control %s as bypassing the cache: %s', async (cacheControl, bypass) => {
    const { create, inputs } = make();
    await create({}, { cacheControl });
    expect(inputs[0].bypassCache).toBe(bypass);
  });

  it('prefers max_completion_tokens over max_tokens', async () => {
    const { create, inputs } = make();
    await create({ max_tokens: 50, max_completion_tokens: 60 });
    expect(inputs[0].maxTokens).toBe(60);
  });

  it.each([
    [{ max_tokens: 1 }, 1, { max_tokens: 1 }],
    [{ max_tokens: 2001 }, 2001, { max_tokens: 2001 }],
    [{ max_completion_tokens: 4096 }, 4096, { max_completion_tokens: 4096 }],
    [{ max_tokens: 100_000 }, 4096, { max_tokens: 4096 }],
    [{ max_tokens: 50, max_completion_tokens: 9000 }, 4096, { max_completion_tokens: 4096 }],
  ])(
    'forwards a token bound under its own name, clamped to the ceiling: %j',
    async (body, maxTokens, params) => {
      const { create, inputs } = make();
      await create(body);
      expect(inputs[0].maxTokens).toBe(maxTokens);
      expect(inputs[0].params).toEqual(params);
    },
  );

  it.each([
    [{ max_tokens: 0 }, 'max_tokens'],
    [{ max_completion_tokens: -3 }, 'max_completion_tokens'],
  ])('refuses a token bound under 1, naming the parameter: %j', async (body, param) => {
    const { create, inputs } = make();
    const error = await errorOf(create(body));
    expect(error.getStatus()).toBe(400);
    expect(error.detail).toBe(`${param} must be at least 1`);
    expect(error.param).toBe(param);
    expect(error.code).toBe('integer_below_min_value');
    expect(inputs).toEqual([]);
  });

  it('answers 404 model_not_found for a model it does not serve', async () => {
    const { create, inputs } = make();
    const error = await errorOf(create({ model: 'gpt-4o' }));
    expect(error.getStatus()).toBe(404);
    expect(error.detail).toBe(
      'The model does not exist or you do not have access to it (see GET /v1/models).',
    );
    expect(error.param).toBe('model');
    expect(error.code).toBe('model_not_found');
    expect(inputs).toEqual([]);
  });

  it('refuses an unsupported parameter before anything else', async () => {
    const { create } = make();
    const error = await errorOf(create({ model: 'other', audio: { voice: 'x' } }));
    expect(error.param).toBe('audio');
  });

  it('refuses a stream_options.include_usage that is not a boolean', async () => {
    const { create } = make();
    const error = await errorOf(create({ stream: true, stream_options: { include_usage: 'yes' } }));
    expect(error.getStatus()).toBe(400);
    expect(error.detail).toBe('stream_options.include_usage must be a boolean');
    expect(error.param).toBe('stream_options.include_usage');
    await expect(
      make().create({ stream: true, stream_options: { include_usage: false } }),
    ).resolves.toBeDefined();
  });

  it('streams chunks, sets the SSE and cache headers, charges the tokens and ends with [DONE]', async () => {
    const { create, headers, charged, inputs } = make([
      { cache: 'HIT' },
      { text: 'Processed:' },
      { text: ' hi' },
      { result: done },
    ]);
    const text = await drain(await create({ stream: true }));
    expect(headers).toEqual({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      'X-Cache': 'HIT',
    });
    expect(charged).toEqual([5]);
    const id = `chatcmpl-${inputs[0].id}`;
    const data = dataOf(text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1) as Record<string, unknown>[];
    expect(chunks.map((c) => (c.choices as { delta: unknown }[])[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Processed:' },
      { content: ' hi' },
      {},
    ]);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id, object: 'chat.completion.chunk', model: 'builtin-echo' });
      expect(chunk).not.toHaveProperty('usage');
    }
  });

  it('adds the usage chunk when include_usage is true', async () => {
    const { create } = make([{ text: 'x' }, { result: done }]);
    const data = dataOf(
      await drain(await create({ stream: true, stream_options: { include_usage: true } })),
    );
    expect(data.at(-2)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    });
  });

  it('ends a stream that fails after its first chunk with an OpenAI error event, no [DONE]', async () => {
    const { create } = make(async function* () {
      yield { text: 'x' };
      throw new ProviderError('interrupted', 'LLM provider stream ended early');
    });
    const data = dataOf(await drain(await create({ stream: true })));
    expect(data).not.toContain('[DONE]');
    expect(data.at(-1)).toEqual({
      error: {
        message: 'LLM provider stream ended early',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
  });

  it('streams a single turn as the same query as POST /query', async () => {
    const { create, inputs } = make([{ result: done }]);
    await drain(await create({ stream: true, max_tokens: 20 }, { cacheControl: 'no-cache' }));
    expect(inputs[0]).toMatchObject({
      prompt: 'hi',
      messages: undefined,
      maxTokens: 20,
      bypassCache: true,
    });
  });
});

describe('ProblemException from the stream before its first chunk', () => {
  it('is thrown, so the client gets a real status', async () => {
    // eslint-disable-next-line require-yield
    const { create } = make(async function* () {
      throw new ProblemException(503, 'busy');
    });
    await expect(drain(await create({ stream: true }))).rejects.toBeInstanceOf(ProblemException);
  });
});
