import { describe, expect, it } from '@jest/globals';
import helmet from 'helmet';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { replayedHeaders } from './replayed-headers.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void) => void;

/** The headers a response gets when `middleware` runs before a plain 200. */
async function headersAfter(middleware: Middleware): Promise<Record<string, string>> {
  const server = createServer((req, res) => {
    res.setHeader('X-Powered-By', 'test');
    middleware(req, res, () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/`);
    await answer.text();
    const headers = Object.fromEntries(answer.headers);
    delete headers.date;
    return headers;
  } finally {
    server.close();
  }
}

describe('replayedHeaders', () => {
  it('gives every response exactly the headers helmet sets, and removes what it removes', async () => {
    const options = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };
    const replayed = replayedHeaders(helmet(options));
    expect(replayed.name).toBe('fixedHeaders');
    const expected = await headersAfter(helmet(options));
    expect(expected['content-security-policy']).toContain("default-src 'self'");
    expect(expected['x-powered-by']).toBeUndefined();
    expect(await headersAfter(replayed)).toEqual(expected);
  });

  it('returns a middleware that reads the request as it is', () => {
    const perRequest: Middleware = (req, res, next) => {
      res.setHeader('X-Path', req.url ?? '');
      next();
    };
    expect(replayedHeaders(perRequest)).toBe(perRequest);
  });

  it('returns a middleware that uses other response methods, or does not go on, as it is', () => {
    const writes: Middleware = (_req, res, next) => {
      res.setHeader('X-A', '1');
      res.statusCode = 201;
      next();
    };
    const stops: Middleware = (_req, res) => {
      res.setHeader('X-A', '1');
    };
    const fails: Middleware = (_req, _res, next) => next(new Error('no'));
    expect(replayedHeaders(writes)).toBe(writes);
    expect(replayedHeaders(stops)).toBe(stops);
    expect(replayedHeaders(fails)).toBe(fails);
  });
});
