import { HttpStatus } from '@nestjs/common';
import { describe, expect, it } from '@jest/globals';
import { ProblemException } from '@app/platform';
import { ProviderError } from '../providers/provider-error.js';
import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { readMessages } from './chat-messages.js';
import { openAiError } from './openai-error.filter.js';
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
      [{ n: 3 }, 'n'],
      [{ tool_choice: 'required' }, 'tool_choice'],
      [{ response_format: { type: 'json_schema' } }, 'response_format'],
      [{ stop: ['\n'] }, 'stop'],
      [{ logit_bias: { 50256: -100 } }, 'logit_bias'],
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
