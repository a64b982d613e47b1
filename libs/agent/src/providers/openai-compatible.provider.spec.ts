import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TokenCounter } from '../tokens/token-counter.js';
import { OpenAiCompatibleProvider } from './openai-compatible.provider.js';
import { isAbort, ProviderError } from './provider-error.js';
import { withRetries } from './retrying-provider.js';

type Handler = (req: IncomingMessage, body: unknown, res: ServerResponse) => void;

/** A local stand-in for an OpenAI-compatible server, scripted per test. */
describe('OpenAiCompatibleProvider', () => {
  let server: Server;
  let baseUrl: string;
  let handlers: Handler[] = [];
  let calls = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const handler = handlers[Math.min(calls++, handlers.length - 1)];
        handler(req, JSON.parse(raw), res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/`;
  });
  afterEach(() => {
    handlers = [];
    calls = 0;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const provider = ({ timeoutMs = 2_000, maxRetries = 2 } = {}) =>
    withRetries(
      new OpenAiCompatibleProvider(
        { baseUrl, apiKey: 'sk-test', model: 'test-model', timeoutMs },
        new TokenCounter(),
      ),
      maxRetries,
    );
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse) =>
    json(res, 200, {
      model: 'test-model-2026',
      choices: [{ message: { role: 'assistant', content: 'Hi there' } }],
      usage: { prompt_tokens: 7, completion_tokens: 3 },
    });

  it('sends a chat completion request and maps the answer and usage', async () => {
    let seen: { auth?: string; path?: string; body?: unknown } = {};
    handlers = [
      (req, body, res) => {
        seen = { auth: req.headers.authorization, path: req.url, body };
        ok(res);
      },
    ];
    const completion = await provider().complete({ prompt: 'Hello', maxTokens: 50 });
    expect(seen).toEqual({
      auth: 'Bearer sk-test',
      path: '/v1/chat/completions',
      body: { model: 'test-model', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 50 },
    });
    expect(completion).toEqual({
      text: 'Hi there',
      provider: 'openai',
      finishReason: 'stop',
      model: 'test-model-2026',
      promptTokens: 7,
      completionTokens: 3,
    });
  });

  it('retries 429 and 5xx answers, then succeeds', async () => {
    handlers = [
      (_q, _b, res) => json(res, 503, { error: 'busy' }),
      (_q, _b, res) => {
        res.writeHead(429, { 'retry-after': '0' });
        res.end();
      },
      (_q, _b, res) => ok(res),
    ];
    await expect(provider().complete({ prompt: 'x', maxTokens: 10 })).resolves.toMatchObject({
      text: 'Hi there',
    });
    expect(calls).toBe(3);
  });

  it('does not retry a rejected request and reports it as 502', async () => {
    handlers = [(_q, _b, res) => json(res, 401, { error: 'bad key' })];
    await expect(provider().complete({ prompt: 'x', maxTokens: 10 })).rejects.toMatchObject({
      status: 502,
      detail: 'LLM provider answered with status 401',
    });
    expect(calls).toBe(1);
  });

  it('gives up after the retry budget', async () => {
    handlers = [(_q, _b, res) => json(res, 500, {})];
    await expect(
      provider({ maxRetries: 1 }).complete({ prompt: 'x', maxTokens: 10 }),
    ).rejects.toMatchObject({
      status: 502,
    });
    expect(calls).toBe(2);
  });

  it('times out a slow server as 504', async () => {
    handlers = [(_q, _b, res) => setTimeout(() => ok(res), 1_000)];
    await expect(
      provider({ timeoutMs: 100, maxRetries: 0 }).complete({ prompt: 'x', maxTokens: 10 }),
    ).rejects.toMatchObject({
      status: 504,
      detail: 'LLM provider did not answer in time',
    });
  });

  it('counts tokens locally when the server reports no usage', async () => {
    handlers = [
      (_q, _b, res) => json(res, 200, { choices: [{ message: { content: 'Hello, world' } }] }),
    ];
    const completion = await provider().complete({ prompt: 'Hello, world', maxTokens: 10 });
    expect(completion).toMatchObject({ model: 'test-model', promptTokens: 3, completionTokens: 3 });
  });

  it('closes the upstream connection when the caller aborts, and does not retry', async () => {
    let closedEarly: Promise<boolean> | undefined;
    let received: () => void = () => undefined;
    const arrived = new Promise<void>((r) => (received = r));
    handlers = [
      (_q, _b, res) => {
        // Never answers: only the caller can end this call.
        closedEarly = new Promise((r) => res.on('close', () => r(!res.writableFinished)));
        received();
      },
    ];
    const controller = new AbortController();
    const call = provider().complete({ prompt: 'x', maxTokens: 10, signal: controller.signal });
    await arrived;
    controller.abort();
    // The abort as it came: the caller left, the provider did not fail.
    const error = await call.catch((e: unknown) => e);
    expect(isAbort(error)).toBe(true);
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(await closedEarly).toBe(true);
    expect(calls).toBe(1);
  });
});

describe('OpenAiCompatibleProvider streaming', () => {
  let server: Server;
  let baseUrl: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  let closedEarly: Promise<void>;
  let lastBody: unknown;

  beforeAll(async () => {
    server = createServer((req, res) => {
      closedEarly = new Promise((resolve) =>
        res.on('close', () => !res.writableFinished && resolve()),
      );
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        lastBody = JSON.parse(raw);
        handler(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const provider = (timeoutMs = 2_000) =>
    new OpenAiCompatibleProvider({ baseUrl, model: 'm', timeoutMs }, new TokenCounter());
  const chunk = (delta: object, finish: string | null = null, usage?: object) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm-1', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
  const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });

  async function collect(request: { signal?: AbortSignal } = {}) {
    const parts: string[] = [];
    let completion: unknown;
    for await (const part of provider().stream({ prompt: 'hi', maxTokens: 10, ...request })) {
      if ('text' in part) parts.push(part.text);
      else completion = part.completion;
    }
    return { parts, completion };
  }

  it('parses by event, not by network chunk: JSON split across writes still arrives whole', async () => {
    handler = (_req, res) => {
      sse(res);
      const body =
        chunk({ role: 'assistant', content: '' }) +
        chunk({ content: 'Hel' }) +
        chunk({ content: 'lo ✓' }) +
        chunk({}, 'stop') +
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm-1', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } })}\n\n` +
        'data: [DONE]\n\n';
      const bytes = Buffer.from(body);
      // Seven-byte writes split JSON objects and even the multi-byte character.
      let offset = 0;
      const timer = setInterval(() => {
        res.write(bytes.subarray(offset, offset + 7));
        offset += 7;
        if (offset >= bytes.length) {
          clearInterval(timer);
          res.end();
        }
      }, 1);
    };
    const { parts, completion } = await collect();
    expect(lastBody).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(parts).toEqual(['Hel', 'lo ✓']);
    expect(completion).toMatchObject({
      text: 'Hello ✓',
      model: 'm-1',
      provider: 'openai',
      promptTokens: 4,
      completionTokens: 2,
      finishReason: 'stop',
    });
  });

  it('treats a stream that ends without a finish reason as interrupted, not complete', async () => {
    handler = (_req, res) => {
      sse(res);
      res.end(chunk({ content: 'Hel' }));
    };
    await expect(collect()).rejects.toMatchObject({
      kind: 'interrupted',
      status: 502,
      detail: 'LLM provider stream ended early',
    });
  });

  it('takes chunks without choices, deltas or usage, and the usage from whichever chunk has it', async () => {
    handler = (_req, res) => {
      sse(res);
      const event = (body: object) => `data: ${JSON.stringify({ model: 'm-1', ...body })}\n\n`;
      res.write(event({ choices: [{ index: 0, delta: { content: 'Hi' } }], usage: null }));
      res.write(event({ usage: { prompt_tokens: 9, completion_tokens: 1 } }));
      res.write(event({ choices: [{ index: 0, finish_reason: 'stop' }], usage: null }));
      res.end('data: [DONE]\n\n');
    };
    const { parts, completion } = await collect();
    expect(parts).toEqual(['Hi']);
    expect(completion).toMatchObject({ text: 'Hi', promptTokens: 9, completionTokens: 1 });
  });

  it('reports malformed JSON mid-stream as an interruption, and leaves the console alone', async () => {
    const consoleCalls = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation(() => undefined),
    );
    handler = (_req, res) => {
      sse(res);
      res.write(chunk({ content: 'Hel' }));
      res.end('data: {"choices": [\n\n');
    };
    try {
      await expect(collect()).rejects.toMatchObject({
        kind: 'interrupted',
        status: 502,
        detail: 'LLM provider sent an invalid answer',
      });
      // The SDK would log the event it could not parse: it is told to log nothing.
      for (const spy of consoleCalls) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of consoleCalls) spy.mockRestore();
    }
  });

  it('raises an error event sent mid-stream', async () => {
    handler = (_req, res) => {
      sse(res);
      res.write(chunk({ content: 'Hel' }));
      res.end(`data: ${JSON.stringify({ error: { message: 'boom', type: 'server_error' } })}\n\n`);
    };
    await expect(collect()).rejects.toMatchObject({ kind: 'interrupted' });
  });

  it('times out a stream that pauses longer than the budget', async () => {
    handler = (_req, res) => {
      sse(res);
      res.write(chunk({ content: 'Hel' }));
    };
    const started = Date.now();
    await expect(
      (async () => {
        for await (const part of provider(300).stream({ prompt: 'hi', maxTokens: 10 })) void part;
      })(),
    ).rejects.toMatchObject({
      kind: 'timeout',
      status: 504,
      detail: 'LLM provider did not answer in time',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    await closedEarly;
  });

  it('closes the upstream request when the caller aborts', async () => {
    handler = (_req, res) => {
      sse(res);
      res.write(chunk({ content: 'Hel' }));
    };
    const controller = new AbortController();
    const started = performance.now();
    const consumed = (async () => {
      for await (const part of provider(5_000).stream({
        prompt: 'hi',
        maxTokens: 10,
        signal: controller.signal,
      })) {
        if ('text' in part) controller.abort();
      }
    })();
    // At once and as an abort, not when the 5 s pause budget runs out as a timeout.
    const error = await consumed.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(performance.now() - started).toBeLessThan(2_500);
    await closedEarly;
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });

  it("leaves no listener on the caller's signal once the stream is over", async () => {
    handler = (_req, res) => {
      sse(res);
      res.write(chunk({ content: 'Hi' }));
      res.end(chunk({}, 'stop'));
    };
    const controller = new AbortController();
    await collect({ signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });
});
