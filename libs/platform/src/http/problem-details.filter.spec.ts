import { describe, expect, it, jest } from '@jest/globals';
import {
  BadRequestException,
  HttpException,
  HttpStatus,
  NotFoundException,
  type ArgumentsHost,
} from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { PinoLogger } from 'nestjs-pino';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { ProblemException, validationProblem } from './problem.js';

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

// The router table as Express keeps it: one GET route at /health.
const ROUTES = [
  { route: { path: '/health', methods: { get: true } }, match: (p: string) => p === '/health' },
];

/**
 * Runs the filter on `exception` for a request to `url` and captures what it sends. `route` is
 * the matched handler's template; null: no handler matched the request.
 */
function render(
  exception: unknown,
  url = '/query',
  id: unknown = 'req-1',
  route: string | null = '/query',
  method = 'POST',
) {
  const reply: Reply = { status: 0, headers: {}, body: {} };
  const adapterHost = {
    httpAdapter: {
      getInstance: () => ({ router: { stack: ROUTES } }),
      setHeader: (_res: unknown, name: string, value: string) => {
        reply.headers[name.toLowerCase()] = value;
      },
      reply: (_res: unknown, body: Record<string, unknown>, status: number) => {
        reply.body = body;
        reply.status = status;
      },
    },
  } as unknown as HttpAdapterHost;
  const logger = { error: jest.fn() };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({
        url,
        originalUrl: url,
        id,
        method,
        complete: true,
        ...(route ? { route: { path: route } } : {}),
      }),
      getResponse: () => ({}),
    }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter(adapterHost, logger as unknown as PinoLogger).catch(exception, host);
  return { ...reply, logger };
}

describe('ProblemDetailsFilter', () => {
  it('renders a ProblemException as application/problem+json with its field errors', () => {
    const reply = render(
      validationProblem([{ field: 'prompt', message: 'Prompt cannot be empty' }]),
    );
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'Prompt cannot be empty',
      errors: [{ field: 'prompt', message: 'Prompt cannot be empty' }],
      instance: '/query',
      request_id: 'req-1',
    });
    expect(reply.logger.error).not.toHaveBeenCalled();
  });

  it('keeps the status and detail of a deliberate 5xx without logging it again', () => {
    const reply = render(new ProblemException(HttpStatus.BAD_GATEWAY, 'The LLM provider failed'));
    expect(reply.status).toBe(502);
    expect(reply.body).toMatchObject({ title: 'Bad Gateway', detail: 'The LLM provider failed' });
    expect(reply.body).not.toHaveProperty('errors');
    expect(reply.logger.error).not.toHaveBeenCalled();
  });

  it('renders Nest HTTP exceptions with their message', () => {
    const reply = render(
      new NotFoundException('No query with id 42'),
      '/queries/42',
      'req-1',
      '/queries/:id',
      'GET',
    );
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({
      title: 'Not Found',
      detail: 'No query with id 42',
      instance: '/queries/42',
    });
  });

  it('joins a list of messages into one detail', () => {
    const reply = render(new BadRequestException(['a is wrong', 'b is wrong']));
    expect(reply.body.detail).toBe('a is wrong; b is wrong');
  });

  it('answers an unmatched path with 404 naming the path only, never the query string', () => {
    const reply = render(
      new NotFoundException('Cannot GET /nope?token=abc'),
      '/nope?token=abc',
      'r',
      null,
      'GET',
    );
    expect(reply.status).toBe(404);
    expect(reply.body.detail).toBe('Cannot GET /nope');
    expect(JSON.stringify(reply.body)).not.toContain('token');
    expect(reply.headers).not.toHaveProperty('allow');
  });

  it('answers a known path with a wrong method with 405 and the methods it allows', () => {
    const reply = render(new NotFoundException('Cannot POST /health'), '/health', 'r', null);
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
    expect(reply.body.detail).toBe('Method POST is not allowed here');
  });

  it('turns an unknown error into a 500 that exposes nothing, and logs it', () => {
    const error = new Error('password=hunter2 at db.internal:5432');
    const reply = render(error);
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({
      title: 'Internal Server Error',
      detail: 'An unexpected error occurred',
    });
    expect(JSON.stringify(reply.body)).not.toMatch(/hunter2|db\.internal/);
    expect(reply.logger.error).toHaveBeenCalledWith({ err: error }, 'unhandled error');
  });

  it('treats a non-HTTP error with a 5xx status as a 500, not as its own status', () => {
    const reply = render(Object.assign(new Error('upstream'), { status: 503 }));
    expect(reply.status).toBe(500);
  });

  it('keeps the query string out of the instance and omits a missing request id', () => {
    const reply = render(new HttpException('Gone', 410), '/queries?token=abc', null);
    expect(reply.body.instance).toBe('/queries');
    expect(reply.body).not.toHaveProperty('request_id');
    expect(JSON.stringify(reply.body)).not.toContain('abc');
  });
});
