import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { JsonBodyReader } from './json-body.guard.js';
import { ProblemException } from './problem.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/**
 * A server whose handler reads the body through one JsonBodyReader (limit 128 bytes), `reads`
 * times over, and answers with what it read or the problem's status and detail.
 */
async function serve(reads = 1) {
  const reader = new JsonBodyReader(128);
  const server = createServer((req, res) => {
    const attempts = Array.from({ length: reads }, () => reader.read(req, res));
    Promise.all(attempts).then(
      () => {
        res.end(
          JSON.stringify({
            body: (req as IncomingMessage & { body?: unknown }).body ?? null,
            read: reader.isRead(req),
            same: attempts.every((a) => a === attempts[0]),
          }),
        );
      },
      (error: unknown) => {
        const problem = error as ProblemException;
        res.statusCode = problem instanceof ProblemException ? problem.getStatus() : 500;
        res.end(JSON.stringify({ detail: problem.detail }));
      },
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

function post(port: number, body: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let raw = '';
        res.on('data', (c: Buffer) => (raw += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(raw) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('JsonBodyReader', () => {
  it('reads and parses the body once, whoever asks', async () => {
    const answer = await post(await serve(3), '{"a":[1,{"b":"c"}]}');
    expect(answer).toEqual({
      status: 200,
      body: { body: { a: [1, { b: 'c' }] }, read: true, same: true },
    });
  });

  it('takes a JSON media type with a charset of UTF-8 and a compressed body', async () => {
    const port = await serve();
    const typed = await post(port, '{"a":1}', {
      'content-type': 'application/merge-patch+json; charset=utf-8',
    });
    expect(typed.body).toMatchObject({ body: { a: 1 } });
    const packed = await post(port, gzipSync('{"z":true}'), { 'content-encoding': 'gzip' });
    expect(packed.body).toMatchObject({ body: { z: true } });
  });

  it.each([
    [
      'a body over the limit',
      'x'.repeat(129),
      {},
      413,
      'Request body is larger than the configured limit',
    ],
    [
      'another media type',
      'a=1',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'Request body must be sent as application/json',
    ],
    [
      'another charset',
      '{}',
      { 'content-type': 'application/json; charset=latin1' },
      415,
      'Request body charset is not supported',
    ],
    [
      'an unknown content coding',
      '{}',
      { 'content-encoding': 'zstd' },
      415,
      'Request body encoding is not supported',
    ],
    ['malformed JSON', '{"a":', {}, 400, 'Request body is not valid JSON'],
    ['a __proto__ key', '{"__proto__":{"x":1}}', {}, 400, undefined],
    [
      'nesting past 32 levels',
      `${'['.repeat(33)}${']'.repeat(33)}`,
      {},
      400,
      'Request body is nested more than 32 levels deep',
    ],
  ])('refuses %s', async (_what, body, headers, status, detail) => {
    const answer = await post(await serve(), body, headers);
    expect(answer.status).toBe(status);
    if (detail !== undefined) expect(answer.body.detail).toBe(detail);
  });

  it('stops a compressed body that inflates past the limit', async () => {
    const bomb = gzipSync(`{"a":"${'x'.repeat(100_000)}"}`);
    expect(bomb.length).toBeLessThan(1024);
    const answer = await post(await serve(), bomb, { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(413);
  });

  it('reads an empty body as no body', async () => {
    const answer = await post(await serve(), '', { 'content-length': '0' });
    expect(answer.body).toEqual({ body: null, read: true, same: true });
  });
});
