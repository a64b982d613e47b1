import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { TokenCounter } from '../tokens/token-counter.js';
import { OpenAiCompatibleProvider } from './openai-compatible.provider.js';
import { ProviderError } from './provider-error.js';
import { withRetries } from './retrying-provider.js';

const MIB = 1024 ** 2;

/** Writes `total` bytes of `unit` with backpressure; records how much left before the close. */
function flood(res: ServerResponse, unit: string, total: number, sent: { bytes: number }) {
  const chunk = Buffer.from(unit.repeat(Math.ceil(65_536 / unit.length)));
  let closed = false;
  res.on('close', () => (closed = true));
  const pump = () => {
    while (!closed && sent.bytes < total) {
      sent.bytes += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!closed) res.end();
  };
  pump();
}

const chunkEvent = (content: string, extra: object = {}) =>
  `data: ${JSON.stringify({ model: 'm', choices: [{ index: 0, delta: { content }, ...extra }] })}\n\n`;

/** A hostile OpenAI-compatible server: giant bodies, giant events, lying usage. */
describe('OpenAiCompatibleProvider against a hostile upstream', () => {
  let server: Server;
  let baseUrl: string;
  let behave: (res: ServerResponse) => void = () => undefined;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => behave(res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const provider = (timeoutMs = 2_000) =>
    withRetries(
      new OpenAiCompatibleProvider(
        {
          baseUrl,
          model: 'm',
          timeoutMs,
          bounds: { maxAnswerBytes: 4 * MIB, maxEventBytes: 256 * 1024 },
        },
        new TokenCounter(),
      ),
      2,
    );
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );
  const drain = async (stream: AsyncIterable<unknown>, pauseMs = 0) => {
    const parts: unknown[] = [];
    for await (const part of stream) {
      parts.push(part);
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
    return parts;
  };

  it('stops reading a 100 MB JSON body at the bound, and does not retry it', async () => {
    const sent = { bytes: 0 };
    requests = 0;
    behave = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"choices":[{"message":{"content":"');
      flood(res, 'x', 100 * MIB, sent);
    };
    const error = await failure(provider().complete({ prompt: 'p', maxTokens: 100 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'too_large', status: 502, fallsBack: true });
    expect(requests).toBe(1);
    // The upstream was cut off: at most the bound plus what sockets buffer had left it.
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.bytes).toBeLessThan(20 * MIB);
  });

  it('stops inflating a small gzip body that expands past the bound', async () => {
    const bomb = gzipSync(
      Buffer.concat([
        Buffer.from('{"choices":[{"message":{"content":"'),
        Buffer.alloc(50 * MIB, 'z'),
        Buffer.from('"}}]}'),
      ]),
    );
    behave = (res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': bomb.length,
      });
      res.end(bomb);
    };
    expect(bomb.length).toBeLessThan(MIB);
    const error = await failure(provider().complete({ prompt: 'p', maxTokens: 100 }));
    expect(error).toMatchObject({ kind: 'too_large' });
  });

  it('refuses a body whose Content-Length is over the bound without reading it', async () => {
    behave = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 50 * MIB });
      res.write('{');
    };
    const error = await failure(provider().complete({ prompt: 'p', maxTokens: 100 }));
    expect(error).toMatchObject({ kind: 'too_large' });
  });

  it('ends a stream whose single event grows past the event bound', async () => {
    const sent = { bytes: 0 };
    behave = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent('Hello'));
      res.write('data: {"choices":[{"index":0,"delta":{"content":"');
      flood(res, 'y', 50 * MIB, sent);
    };
    const parts: unknown[] = [];
    const error = await failure(
      (async () => {
        for await (const part of provider().stream({ prompt: 'p', maxTokens: 2000 })) {
          parts.push(part);
        }
      })(),
    );
    expect(parts).toEqual([{ text: 'Hello' }]);
    expect(error).toMatchObject({ kind: 'too_large', status: 502 });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.bytes).toBeLessThan(20 * MIB);
  });

  it('ends a stream of small events once they add up past the answer bound', async () => {
    const sent = { bytes: 0 };
    behave = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      flood(res, chunkEvent('token '), 50 * MIB, sent);
    };
    const error = await failure(drain(provider().stream({ prompt: 'p', maxTokens: 10 })));
    expect(error).toMatchObject({ kind: 'too_large' });
  });

  it('does not believe a usage that claims fewer tokens than the text can hold', async () => {
    behave = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          model: 'm',
          choices: [{ message: { content: 'word '.repeat(2_000) }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 2 },
        }),
      );
    };
    const completion = await provider().complete({ prompt: 'p', maxTokens: 2000 });
    expect(completion.promptTokens).toBe(1);
    expect(completion.completionTokens).toBeGreaterThanOrEqual(2_000);
  });

  it('times only the upstream: a caller that digests each part slowly is not a timeout', async () => {
    behave = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent('a') + chunkEvent('b') + chunkEvent('c'));
      res.end(chunkEvent('', { finish_reason: 'stop' }) + 'data: [DONE]\n\n');
    };
    const parts = await drain(provider(150).stream({ prompt: 'p', maxTokens: 10 }), 250);
    expect(parts.slice(0, 3)).toEqual([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    expect(parts).toHaveLength(4);
  });
});
