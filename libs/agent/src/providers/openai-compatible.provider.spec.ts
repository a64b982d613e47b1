import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TokenCounter } from '../tokens/token-counter.js';
import { OpenAiCompatibleProvider } from './openai-compatible.provider.js';

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

  const provider = (overrides: { timeoutMs?: number; maxRetries?: number } = {}) =>
    new OpenAiCompatibleProvider(
      {
        baseUrl,
        apiKey: 'sk-test',
        model: 'test-model',
        timeoutMs: 2_000,
        maxRetries: 2,
        ...overrides,
      },
      new TokenCounter(),
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
    await expect(call).rejects.toBeDefined();
    expect(await closedEarly).toBe(true);
    expect(calls).toBe(1);
  });
});
