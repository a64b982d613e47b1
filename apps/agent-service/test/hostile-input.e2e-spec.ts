import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { rawExchange, statuses } from './support/raw-http.js';
import { expectProblem } from './support/problem.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const nested = (depth: number, open: string, close: string, inner = '1') =>
  `{"prompt":"hi","x":${open.repeat(depth)}${inner}${close.repeat(depth)}}`;

/** Inputs an attacker would send: each is a clean 4xx, and the service stays healthy. */
describe('hostile input', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT: '32kb' });
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    port = (t.server.address() as AddressInfo).port;
  });
  // Raw bytes through fetch: supertest re-encodes a Buffer as JSON under Jest's sandbox.
  async function postBytes(path: string, body: Buffer, headers: Record<string, string>) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: new Uint8Array(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  afterAll(async () => {
    await request(t.server).get('/health').expect(200);
    const metrics = await request(t.server).get('/metrics');
    expect(metrics.text).not.toMatch(/http_requests_total\{[^}]*status="5\d\d"/);
    await t.close();
  });

  describe('deep JSON', () => {
    it.each([
      ['1,500 nested arrays', nested(1_500, '[', ']')],
      ['3,000 nested objects', nested(3_000, '{"a":', '}')],
      ['33 nested arrays', nested(33, '[', ']')],
    ])('%s is a 400 before validation runs', async (_name, body) => {
      const res = await request(t.server)
        .post('/query')
        .set('Content-Type', 'application/json')
        .send(body);
      expectProblem(res, 400, 'Request body is nested more than 32 levels deep');
    });

    it('32 levels are fine as far as nesting goes (the field is still unknown)', async () => {
      const res = await request(t.server)
        .post('/query')
        .set('Content-Type', 'application/json')
        .send(nested(31, '[', ']'));
      expectProblem(res, 400, 'property x should not exist');
    });

    it('brackets inside strings do not count', async () => {
      const res = await request(t.server)
        .post('/query')
        .send({ prompt: '['.repeat(500) + '{'.repeat(500) });
      expect(res.status).toBe(200);
    });
  });

  it('a request with two Host headers is a 400 problem, on any route, naming neither', async () => {
    for (const target of ['POST /query', 'GET /health', 'GET /nope']) {
      const exchange = await rawExchange(port, [
        `${target} HTTP/1.1\r\nHost: a.example\r\nhost: evil.example\r\n` +
          'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      ]);
      expect(statuses(exchange)).toEqual([400]);
      expect(exchange.text).toContain('Request has more than one Host header');
      expect(exchange.text).not.toContain('evil.example');
    }
  });

  describe('oversized bodies are refused from their headers', () => {
    it('a declared Content-Length over the limit is a 413 at once, and the connection closes', async () => {
      const exchange = await rawExchange(port, [
        'POST /query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000000000\r\n\r\n{"prompt":"',
      ]);
      expect(statuses(exchange)).toEqual([413]);
      expect(exchange.text).toMatch(/^connection: close/im);
      expect(exchange.text).toContain('Request body is larger than the configured limit');
      expect(exchange.closed).toBe(true);
    });

    it('a client that sends its whole over-limit body before reading still reads the 413', async () => {
      // As Python's urllib does: write everything, then read. A reset under its writes would
      // show it "broken pipe" and never the answer.
      const body = Buffer.alloc(12 * 1024 ** 2, 'a');
      const outcome = await new Promise<{ text: string; error?: string }>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        let error: string | undefined;
        const timer = setTimeout(() => socket.destroy(), 8_000);
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
        socket.on('close', () => {
          clearTimeout(timer);
          resolve({ text, error });
        });
        socket.write(
          'POST /query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
            `Content-Length: ${body.length}\r\n\r\n`,
        );
        socket.end(body);
      });
      expect(outcome.error).toBeUndefined();
      expect(outcome.text).toMatch(/^HTTP\/1\.1 413 /);
      expect(outcome.text).toContain('Request body is larger than the configured limit');
    });

    it('Expect: 100-continue with an over-limit length is answered 413, never 100 Continue', async () => {
      const exchange = await rawExchange(port, [
        'POST /query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
          'Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n',
      ]);
      expect(statuses(exchange)).toEqual([413]);
      expect(exchange.closed).toBe(true);
    });

    it('Expect: 100-continue on an unknown route is a 404, never 100 Continue', async () => {
      const exchange = await rawExchange(port, [
        'POST /nope HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100\r\nExpect: 100-continue\r\n\r\n',
      ]);
      expect(statuses(exchange)).toEqual([404]);
    });

    it('Expect: 100-continue with an acceptable body gets 100 Continue, then the answer', async () => {
      const body = JSON.stringify({ prompt: 'continue' });
      const exchange = await rawExchange(
        port,
        [
          'POST /query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
            `Content-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
          body,
        ],
        { stepDelayMs: 100 },
      );
      expect(statuses(exchange)).toEqual([100, 200]);
      expect(exchange.text).toContain('Processed: continue');
    });

    it('a chunked body is cut at the limit while it streams: 413 without waiting for its end', async () => {
      const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
      const exchange = await rawExchange(port, [
        'POST /query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n',
        chunk('{"prompt":"'),
        chunk('a'.repeat(20_000)),
        chunk('a'.repeat(20_000)),
        // ...and the body never ends: the answer must not wait for it.
      ]);
      expect(statuses(exchange)).toEqual([413]);
      expect(exchange.closed).toBe(true);
    });

    it('a compressed body is bounded after decompression (a zip bomb is a 413)', async () => {
      const bomb = gzipSync(Buffer.from(`{"prompt":"${'a'.repeat(10_000_000)}"}`));
      expect(bomb.length).toBeLessThan(32_768);
      const res = await postBytes('/query', bomb, { 'Content-Encoding': 'gzip' });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({
        detail: 'Request body is larger than the configured limit',
      });
    });
  });

  describe('routes before bodies', () => {
    it('POST /health with text/plain is a 405 with Allow, not a 415', async () => {
      const res = await request(t.server)
        .post('/health')
        .set('Content-Type', 'text/plain')
        .send('hello');
      expectProblem(res, 405, 'Method POST is not allowed here');
      expect(res.headers.allow).toBe('GET, HEAD');
    });

    it('GET /query is a 405 allowing POST', async () => {
      const res = await request(t.server).get('/query');
      expectProblem(res, 405, 'Method GET is not allowed here');
      expect(res.headers.allow).toBe('POST');
    });

    it.each([
      ['malformed JSON', 'application/json', '{"prompt": '],
      ['an oversized body', 'application/json', `{"prompt":"${'a'.repeat(40_000)}"}`],
      ['a form body', 'application/x-www-form-urlencoded', 'prompt=hi'],
    ])('POST /nonexistent with %s is a 404', async (_name, type, body) => {
      const res = await request(t.server).post('/nonexistent').set('Content-Type', type).send(body);
      expectProblem(res, 404, 'Cannot POST /nonexistent');
    });

    it('an unknown route with a huge declared body is a 404 at once, connection closed', async () => {
      const exchange = await rawExchange(port, [
        'PUT /nonexistent HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000000000\r\n\r\n{',
      ]);
      expect(statuses(exchange)).toEqual([404]);
      expect(exchange.closed).toBe(true);
    });

    it('body errors on POST /query are counted under route="/query", not "unmatched"', async () => {
      const send = (type: string, body: string) =>
        request(t.server).post('/query').set('Content-Type', type).send(body);
      expect((await send('application/json', '{"prompt":')).status).toBe(400);
      expect((await send('application/json', `{"prompt":"${'a'.repeat(40_000)}"}`)).status).toBe(
        413,
      );
      expect((await send('text/plain', 'hi')).status).toBe(415);
      const metrics = (await request(t.server).get('/metrics')).text;
      for (const status of ['400', '413', '415']) {
        expect(metrics).toMatch(
          new RegExp(`http_requests_total\\{[^}]*route="/query"[^}]*status="${status}"`),
        );
      }
    });
  });

  describe('small leaks of the contract', () => {
    it.each([
      ['__proto__', '{"prompt":"hi","__proto__":{"polluted":true}}'],
      ['constructor', '{"prompt":"hi","constructor":{"prototype":{"polluted":true}}}'],
      ['prototype', '{"prompt":"hi","prototype":1}'],
    ])('a %s key is a 400 like any unknown field', async (key, body) => {
      const res = await request(t.server)
        .post('/query')
        .set('Content-Type', 'application/json')
        .send(body);
      expectProblem(res, 400, `property ${key} should not exist`);
      expect(res.body.errors).toEqual([
        { field: key, message: `property ${key} should not exist` },
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('a 404 echoes the path only, never the query string', async () => {
      const res = await request(t.server).get('/nope?token=secret-token-value');
      expectProblem(res, 404, 'Cannot GET /nope');
      expect(res.text).not.toContain('secret-token-value');
    });

    it('a path with a broken percent-escape is a plain 404 through the pipeline', async () => {
      const res = await request(t.server).get('/%zz/%E0%A4%A');
      expectProblem(res, 404, 'Cannot GET /%zz/%E0%A4%A');
    });

    it('a corrupt compressed body gets a fixed message, not the decompressor’s', async () => {
      const res = await postBytes('/query', Buffer.from('definitely not gzip'), {
        'Content-Encoding': 'gzip',
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ detail: 'Request body could not be decompressed' });
    });

    it('a valid compressed body is read', async () => {
      for (const [encoding, body] of [
        ['gzip', gzipSync(JSON.stringify({ prompt: 'zipped' }))],
        ['deflate', deflateSync(JSON.stringify({ prompt: 'zipped' }))],
        ['br', brotliCompressSync(JSON.stringify({ prompt: 'zipped' }))],
      ] as const) {
        const res = await postBytes('/query', body, { 'Content-Encoding': encoding });
        expect([encoding, res.status, res.body.response]).toEqual([
          encoding,
          200,
          'Processed: zipped',
        ]);
      }
    });

    it.each([
      ['an unknown content encoding', { 'Content-Encoding': 'zstd-nope' }, /encoding/],
      [
        'a charset other than UTF-8',
        { 'Content-Type': 'application/json; charset=latin1' },
        /charset/,
      ],
    ])('%s is a 415', async (_name, headers, detail) => {
      const res = await request(t.server)
        .post('/query')
        .set('Content-Type', 'application/json')
        .set(headers)
        .send('{"prompt":"hi"}');
      expectProblem(res, 415, detail);
    });

    it.each([
      ['zero-width space', '\u200b'],
      ['word joiner', '\u2060'],
      ['byte order mark', '\ufeff'],
      ['a mix of invisible and blank characters', '\u200b \u2060\t\u00ad\u180e\u3164\n\ufeff'],
    ])('a prompt of only a %s is empty', async (_name, prompt) => {
      const res = await request(t.server).post('/query').send({ prompt });
      expectProblem(res, 400, 'Prompt cannot be empty');
    });

    it('a prompt with a visible character among invisible ones is accepted', async () => {
      const res = await request(t.server).post('/query').send({ prompt: '\u200bhi\u2060' });
      expect(res.status).toBe(200);
    });
  });
});
