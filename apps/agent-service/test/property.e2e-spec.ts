import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from './support/test-app.js';

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(port: number, { method, path, headers, body }: Sent): Promise<Answer> {
  // Node's client frames a GET/DELETE/OPTIONS body only when told its length.
  const framed =
    body === undefined ? headers : { ...headers, 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: framed, timeout: 5_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end(body);
  });
}

// Methods Node's HTTP parser accepts (others never reach the service); CONNECT tunnels instead.
const method = fc.constantFrom(
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'QUERY',
  'PROPFIND',
  'SEARCH',
);
const segment = fc.oneof(
  fc.constantFrom('health', 'ready', 'metrics', 'query', 'queries', 'v1', '..', '%2e', '%', '%zz'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.uuid(),
);
const path = fc
  .tuple(
    fc.array(segment, { minLength: 1, maxLength: 4 }),
    fc.option(fc.string({ maxLength: 20 }).map(encodeURIComponent), { nil: undefined }),
  )
  .map(([segments, query]) => `/${segments.join('/')}${query === undefined ? '' : `?${query}`}`);
const visible = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode),
  maxLength: 40,
});
const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/merge-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ),
    'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'zstd', 'x'),
    'x-request-id': visible,
    'cache-control': fc.constantFrom('no-cache', 'max-age=0', 'no-store'),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/problem+json'),
    authorization: visible.map((v) => `Bearer ${v}`),
    'x-extra': visible,
  },
  { requiredKeys: [] },
);
const extraHeader = fc.tuple(token, visible);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 6 }).map((v) => new TextEncoder().encode(JSON.stringify(v))),
  fc
    .record(
      { prompt: fc.oneof(fc.string(), fc.jsonValue()), max_tokens: fc.jsonValue() },
      { requiredKeys: [] },
    )
    .map((v) => new TextEncoder().encode(JSON.stringify(v))),
  fc.uint8Array({ maxLength: 2_048 }),
);

/** Random methods, paths, headers and bodies at the in-process service: never a 5xx. */
describe('any request', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT: '4kb' });
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    port = (t.server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('gets a 2xx/3xx or a problem document, never a 5xx, always with a request id', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        headers,
        fc.array(extraHeader, { maxLength: 3 }),
        body,
        async (m, p, h, extra, b) => {
          const sent: Sent = {
            method: m,
            path: p,
            headers: { ...Object.fromEntries(extra), ...h },
            body: b,
          };
          const answer = await send(port, sent);
          expect(answer.status).toBeLessThan(500);
          expect(answer.headers['x-request-id']).toEqual(expect.any(String));
          // The OpenAI-compatible face answers OpenAI errors, everything else problem documents.
          const openAi = /^\/v1(\/|\?|$)/.test(p);
          if (answer.status >= 400 && m !== 'HEAD' && openAi) {
            expect(answer.headers['content-type']).toMatch(/^application\/json/);
            expect(JSON.parse(answer.text)).toMatchObject({
              error: { message: expect.any(String), type: expect.any(String) },
            });
          } else if (answer.status >= 400 && m !== 'HEAD') {
            expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(JSON.parse(answer.text)).toMatchObject({
              status: answer.status,
              detail: expect.any(String),
            });
          }
        },
      ),
      { seed: 7_347_271, numRuns: 300, interruptAfterTimeLimit: 30_000 },
    );
    const health = await send(port, {
      method: 'GET',
      path: '/health',
      headers: {},
      body: undefined,
    });
    expect(health.status).toBe(200);
  });
});
