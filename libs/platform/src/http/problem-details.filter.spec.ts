import { describe, expect, it, jest } from '@jest/globals';
import {
  BadRequestException,
  HttpException,
  HttpStatus,
  NotFoundException,
  PayloadTooLargeException,
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

/** Runs the filter on `exception` for a request to `url` and captures what it sends. */
function render(exception: unknown, url = '/query', id: unknown = 'req-1') {
  const reply: Reply = { status: 0, headers: {}, body: {} };
  const adapterHost = {
    httpAdapter: {
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
      getRequest: () => ({ url, originalUrl: url, id }),
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
      requestId: 'req-1',
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
    const reply = render(new NotFoundException('No query with id 42'), '/queries/42');
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

  it('never quotes the body a parser error carries, whatever wraps it', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected token s in "secret-body'), {
      type: 'entity.parse.failed',
      status: 400,
    });
    const wrapped = render(new BadRequestException('raw', { cause: parseError }));
    const bare = render(parseError);
    for (const reply of [wrapped, bare]) {
      expect(reply.status).toBe(400);
      expect(reply.body.detail).toBe('Request body is not valid JSON');
      expect(JSON.stringify(reply.body)).not.toContain('secret-body');
    }
    const tooLarge = render(
      new PayloadTooLargeException('x', {
        cause: Object.assign(new Error('big'), { type: 'entity.too.large' }),
      }),
    );
    expect(tooLarge.body).toMatchObject({
      status: 413,
      detail: 'Request body is larger than the configured limit',
    });
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
    expect(reply.body).not.toHaveProperty('requestId');
    expect(JSON.stringify(reply.body)).not.toContain('abc');
  });
});
