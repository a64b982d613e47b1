import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceExpressAdapter } from './service-express-adapter.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a client receives when `adapter.reply(res, body, status)` answers `method /`. */
async function answerOf(
  adapter: ExpressAdapter,
  method: string,
  body: unknown,
  status?: number,
  prepare?: (res: { setHeader(name: string, value: string): void }) => void,
): Promise<Answer> {
  const app = adapter.getInstance<{
    all(path: string, handler: (req: unknown, res: never) => void): void;
    set(name: string, value: unknown): void;
  }>();
  app.set('etag', false);
  app.all('/', (_req, res) => {
    prepare?.(res);
    adapter.reply(res, body, status);
  });
  const server = createServer(app as never);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/`, { method });
    const headers = Object.fromEntries(answer.headers);
    delete headers.date;
    return { status: answer.status, headers, body: await answer.text() };
  } finally {
    server.close();
  }
}

const BODY = { response: 'Processed: héllo <b>', tokens_used: 6, nested: [1, null, { a: 'ü' }] };

describe('ServiceExpressAdapter', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([
    ['POST', 200, BODY],
    ['POST', 201, BODY],
    ['PUT', undefined, [1, 2, 3]],
    ['DELETE', 202, {}],
  ])(
    'answers %s with a JSON object (status %s) exactly as Express does',
    async (method, status, body) => {
      const expected = await answerOf(new ExpressAdapter(), method, body, status);
      expect(expected.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(await answerOf(new ServiceExpressAdapter(), method, body, status)).toEqual(expected);
    },
  );

  it.each([
    { case: 'a GET', method: 'GET', body: BODY, status: 200 },
    { case: 'a HEAD', method: 'HEAD', body: BODY, status: 200 },
    { case: 'a 204', method: 'POST', body: BODY, status: 204 },
    { case: 'a string', method: 'POST', body: 'plain text', status: 200 },
    { case: 'no body', method: 'POST', body: null, status: 200 },
    { case: 'an Error', method: 'POST', body: new Error('secret detail'), status: 500 },
    {
      case: 'a chosen type',
      method: 'POST',
      body: BODY,
      status: 400,
      type: 'application/problem+json',
    },
  ])('leaves $case to Express', async ({ method, body, status, type }) => {
    const prepare = type
      ? (res: { setHeader(name: string, value: string): void }) =>
          res.setHeader('Content-Type', type)
      : undefined;
    const expected = await answerOf(new ExpressAdapter(), method, body, status, prepare);
    const express = jest.spyOn(ExpressAdapter.prototype, 'reply');
    expect(await answerOf(new ServiceExpressAdapter(), method, body, status, prepare)).toEqual(
      expected,
    );
    expect(express).toHaveBeenCalledTimes(1);
  });

  it('leaves JSON to Express when the app asks for other JSON settings', async () => {
    const adapter = new ServiceExpressAdapter();
    adapter.getInstance<{ set(n: string, v: unknown): void }>().set('json spaces', 2);
    const answer = await answerOf(adapter, 'POST', { a: 1 }, 200);
    expect(answer.body).toBe('{\n  "a": 1\n}');
  });
});
