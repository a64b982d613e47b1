import { BadRequestException, HttpException, HttpStatus, type ArgumentsHost } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import { ProblemException } from '@app/platform';
import { ProviderError } from '../providers/provider-error.js';
import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { readMessages } from './chat-messages.js';
import { OpenAiRequestError } from './openai-error.js';
import { openAiError, OpenAiErrorFilter } from './openai-error.filter.js';
import { refuseUnsupported } from './unsupported-parameters.js';

describe('openAiError', () => {
  it('maps problems to OpenAI error bodies with the status kept', () => {
    expect(openAiError(new ProblemException(HttpStatus.UNAUTHORIZED, 'Invalid API key'))).toEqual({
      status: 401,
      body: {
        error: {
          message: 'Invalid API key',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
    });
    expect(
      openAiError(new ProblemException(HttpStatus.TOO_MANY_REQUESTS, 'Slow down')).body,
    ).toEqual({
      error: {
        message: 'Slow down',
        type: 'rate_limit_error',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    expect(
      openAiError(new ProviderError('timeout', 'LLM provider did not answer in time')),
    ).toEqual({
      status: 504,
      body: {
        error: {
          message: 'LLM provider did not answer in time',
          type: 'server_error',
          param: null,
          code: null,
        },
      },
    });
  });

  it('names the parameter of a validation error, and unknown ones as OpenAI does', () => {
    const invalid = new ProblemException(HttpStatus.BAD_REQUEST, 'x', [
      { field: 'temperature', message: 'temperature must be a number' },
    ]);
    expect(openAiError(invalid).body.error).toMatchObject({
      message: 'x',
      param: 'temperature',
    });
    const unknown = new ProblemException(HttpStatus.BAD_REQUEST, 'x', [
      { field: 'foo', message: 'property foo should not exist' },
    ]);
    expect(openAiError(unknown).body.error).toEqual({
      message: 'Unrecognized request argument supplied: foo',
      type: 'invalid_request_error',
      param: 'foo',
      code: 'unknown_parameter',
    });
  });

  it('never exposes an unexpected error', () => {
    expect(openAiError(new Error('secret host db.internal:5432'))).toEqual({
      status: 500,
      body: {
        error: {
          message: 'An unexpected error occurred',
          type: 'server_error',
          param: null,
          code: null,
        },
      },
    });
  });
});

describe('refuseUnsupported', () => {
  const body = (extra: Partial<ChatCompletionRequestDto>) => ({
    model: 'm',
    messages: [],
    ...extra,
  });

  it('accepts the neutral values of parameters it cannot honour', () => {
    for (const extra of [
      { n: 1 },
      { tools: [] },
      { tool_choice: 'none' },
      { response_format: { type: 'text' } },
      { logprobs: false },
      { stop: null },
      { modalities: ['text'] },
    ] as Partial<ChatCompletionRequestDto>[]) {
      expect(() => refuseUnsupported(body(extra))).not.toThrow();
    }
  });

  it('refuses the values that would change the answer, naming the parameter', () => {
    for (const [extra, param] of [
      [{ functions: [{ name: 'f' }] }, 'functions'],
      [{ function_call: { name: 'f' } }, 'function_call'],
      [{ modalities: ['text', 'audio'] }, 'modalities'],
    ] as [Partial<ChatCompletionRequestDto>, string][]) {
      expect(() => refuseUnsupported(body(extra))).toThrow(
        expect.objectContaining({ param, code: 'unsupported_parameter' }),
      );
    }
  });
});

describe('readMessages', () => {
  it('reads text turns and takes the last user turn as the prompt', () => {
    expect(
      readMessages([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'first' }] },
        { role: 'assistant', content: 'ok', name: 'bot' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'sec' },
            { type: 'text', text: 'ond' },
          ],
        },
      ]),
    ).toEqual({
      prompt: 'second',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'second' },
      ],
    });
  });

  it('refuses what it cannot read, with the position of the message', () => {
    const refuse = (raw: unknown[], param: string) =>
      expect(() => readMessages(raw)).toThrow(expect.objectContaining({ param }));
    refuse(['hi'], 'messages[0]');
    refuse([{ role: 'wizard', content: 'x' }], 'messages[0].role');
    refuse(
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
      'messages[0].content[0]',
    );
    refuse([{ role: 'user', content: 'a\u0000b' }], 'messages[0].content');
    refuse([{ role: 'system', content: 'only a system turn' }], 'messages');
  });
});

describe('openAiError types and codes', () => {
  const errorFor = (status: number) => openAiError(new ProblemException(status, 'text')).body.error;

  it.each([
    [400, 'invalid_request_error', null],
    [401, 'invalid_request_error', 'invalid_api_key'],
    [403, 'permission_error', null],
    [404, 'invalid_request_error', 'not_found'],
    [413, 'invalid_request_error', null],
    [429, 'rate_limit_error', 'rate_limit_exceeded'],
    [499, 'invalid_request_error', null],
    [500, 'server_error', null],
    [503, 'server_error', null],
  ])('gives status %i the type %s and the code %s', (status, type, code) => {
    expect(errorFor(status)).toMatchObject({ type, code });
  });

  it('keeps the message of another client error, but never of a server error', () => {
    expect(openAiError(new BadRequestException('Unexpected token in JSON')).body.error).toEqual({
      message: 'Unexpected token in JSON',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    expect(openAiError(new HttpException('upstream detail', 502)).body.error.message).toBe(
      'An unexpected error occurred',
    );
    expect(openAiError(new HttpException('upstream detail', 500)).body.error.message).toBe(
      'An unexpected error occurred',
    );
  });

  it('takes param and code from an OpenAI request error, the status code when it has none', () => {
    expect(
      openAiError(new OpenAiRequestError('No such model', 'model', 'model_not_found', 404)),
    ).toEqual({
      status: 404,
      body: {
        error: {
          message: 'No such model',
          type: 'invalid_request_error',
          param: 'model',
          code: 'model_not_found',
        },
      },
    });
    expect(openAiError(new OpenAiRequestError('Slow down', null, null, 429)).body.error).toEqual({
      message: 'Slow down',
      type: 'rate_limit_error',
      param: null,
      code: 'rate_limit_exceeded',
    });
  });
});

describe('OpenAiErrorFilter', () => {
  function make() {
    const replies: [unknown, unknown, number][] = [];
    const headers: [unknown, string, string][] = [];
    const adapterHost = {
      httpAdapter: {
        setHeader: (res: unknown, name: string, value: string) => headers.push([res, name, value]),
        reply: (res: unknown, body: unknown, status: number) => replies.push([res, body, status]),
      },
    } as unknown as HttpAdapterHost;
    const logger = { error: jest.fn() };
    const filter = new OpenAiErrorFilter(adapterHost, logger as unknown as PinoLogger);
    const res = { the: 'response' };
    const req = { complete: true };
    const host = {
      switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }),
    } as unknown as ArgumentsHost;
    return { filter, host, res, replies, headers, logger };
  }

  it('replies with the OpenAI error body as JSON and the status', () => {
    const { filter, host, res, replies, headers, logger } = make();
    filter.catch(new ProviderError('timeout', 'LLM provider did not answer in time'), host);
    expect(headers).toEqual([[res, 'Content-Type', 'application/json; charset=utf-8']]);
    expect(replies).toEqual([
      [
        res,
        {
          error: {
            message: 'LLM provider did not answer in time',
            type: 'server_error',
            param: null,
            code: null,
          },
        },
        504,
      ],
    ]);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('logs an unexpected error, but not a client that went away', () => {
    const { filter, host, replies, logger } = make();
    const bug = new Error('bug');
    filter.catch(bug, host);
    expect(logger.error).toHaveBeenCalledWith({ err: bug }, 'unhandled error');
    expect(replies[0][2]).toBe(500);
    filter.catch(Object.assign(new Error('aborted'), { name: 'AbortError' }), host);
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});
