import { describe, expect, it } from '@jest/globals';
import type { QueryResult } from '../query/query.service.js';
import { ChunkWriter, chatCompletion } from './chat-completion.mapper.js';
import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { readMessages } from './chat-messages.js';
import { OpenAiRequestError } from './openai-error.js';
import { refuseUnsupported } from './unsupported-parameters.js';

/** The OpenAI-style error `fn` throws: message, param and code. */
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OpenAiRequestError);
    const e = error as OpenAiRequestError;
    expect(e.getStatus()).toBe(400);
    return { message: e.message, param: e.param, code: e.code };
  }
  throw new Error('expected a refusal');
}

describe('readMessages', () => {
  it('reads assistant tool calls and tool results', () => {
    const call = {
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
    };
    const { messages, prompt } = readMessages([
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
    ]);
    expect(messages).toEqual([
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: '', tool_calls: [call] },
      { role: 'tool', content: 'sunny', tool_call_id: 'call_1' },
    ]);
    expect(prompt).toBe('weather?');
  });

  it('reads string and text-part contents and takes the last user message as the prompt', () => {
    const { messages, prompt } = readMessages([
      { role: 'system', content: 'be brief' },
      { role: 'developer', content: null },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok', tool_calls: null },
      { role: 'assistant' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'sec' },
          { type: 'text', text: 'ond' },
        ],
      },
    ]);
    expect(messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'developer', content: '' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'second' },
    ]);
    expect(prompt).toBe('second');
  });

  it.each([
    [[null], 'messages[0] must be an object', 'messages[0]', null],
    [[['user']], 'messages[0] must be an object', 'messages[0]', null],
    [['hi'], 'messages[0] must be an object', 'messages[0]', null],
    [
      [
        { role: 'user', content: 'a' },
        { role: 'tool', content: 'r' },
      ],
      'a tool message needs a tool_call_id of 1 to 256 characters',
      'messages[1].tool_call_id',
      null,
    ],
    [
      [{ role: 'function', content: 'r' }],
      'function messages are not supported: use tool messages',
      'messages[0].role',
      'unsupported_parameter',
    ],
    [
      [{ role: 'user', content: 'a', tool_calls: [] }],
      'only assistant messages have tool_calls',
      'messages[0].tool_calls',
      null,
    ],
    [
      [
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f' } }],
        },
      ],
      'a tool call is {"id", "type": "function", "function": {"name", "arguments": string}}',
      'messages[0].tool_calls[0]',
      null,
    ],
    [
      [
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'c', type: 'function', function: { name: 'no spaces', arguments: '{}' } },
          ],
        },
      ],
      'a tool call is {"id", "type": "function", "function": {"name", "arguments": string}}',
      'messages[0].tool_calls[0]',
      null,
    ],
    [
      [{ role: 'assistant', content: '', tool_calls: Array.from({ length: 129 }, () => ({})) }],
      'tool_calls must be an array of at most 128',
      'messages[0].tool_calls',
      null,
    ],
    [
      [{ role: 'robot', content: 'a' }],
      'messages[0].role must be one of system, developer, user, assistant, tool',
      'messages[0].role',
      null,
    ],
    [
      [{ content: 'a' }],
      'messages[0].role must be one of system, developer, user, assistant, tool',
      'messages[0].role',
      null,
    ],
    [
      [{ role: 'user', content: 'a\u0000b' }],
      'messages[0].content must not contain NUL characters',
      'messages[0].content',
      null,
    ],
    [
      [{ role: 'user', content: 42 }],
      'messages[0].content must be a string or an array of text parts',
      'messages[0].content',
      null,
    ],
    [
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image_url', image_url: {} },
          ],
        },
      ],
      'only text content parts are supported',
      'messages[0].content[1]',
      'unsupported_parameter',
    ],
    [
      [{ role: 'user', content: [null] }],
      'only text content parts are supported',
      'messages[0].content[0]',
      'unsupported_parameter',
    ],
    [
      [{ role: 'user', content: [{ type: 'text', text: 3 }] }],
      'only text content parts are supported',
      'messages[0].content[0]',
      'unsupported_parameter',
    ],
    [[], 'messages must contain a non-empty user message', 'messages', null],
    [
      [{ role: 'system', content: 'only a system turn' }],
      'messages must contain a non-empty user message',
      'messages',
      null,
    ],
    [
      [
        { role: 'user', content: 'earlier' },
        { role: 'user', content: ' \n\t' },
      ],
      'messages must contain a non-empty user message',
      'messages',
      null,
    ],
  ])('refuses %j', (raw, message, param, code) => {
    expect(refusal(() => readMessages(raw))).toEqual({ message, param, code });
  });
});

describe('OpenAiRequestError', () => {
  it('names the parameter as the field error problem details carry, if there is one', () => {
    expect(new OpenAiRequestError('bad', 'messages[0]').errors).toEqual([
      { field: 'messages[0]', message: 'bad' },
    ]);
    expect(new OpenAiRequestError('bad', null).errors).toBeUndefined();
  });
});

describe('refuseUnsupported', () => {
  const request = (extra: Record<string, unknown>) =>
    ({ model: 'm', messages: [], ...extra }) as unknown as ChatCompletionRequestDto;

  it('accepts each parameter in the form that asks for a plain text answer', () => {
    for (const extra of [
      {},
      { n: 1, tools: [], functions: [], tool_choice: 'none', function_call: 'auto' },
      { n: null, tool_choice: 'auto', function_call: 'none', response_format: { type: 'text' } },
      { response_format: {}, logprobs: false, top_logprobs: 0, stop: '', logit_bias: {} },
      { logprobs: null, top_logprobs: null, stop: null, modalities: ['text'] },
      { modalities: [], audio: null, prediction: undefined, web_search_options: {} },
      { tool_choice: null, function_call: {}, response_format: null },
    ]) {
      expect(() => refuseUnsupported(request(extra))).not.toThrow();
    }
  });

  it.each([
    [{ functions: [{ name: 'f' }] }, 'functions', 'functions are not supported: use tools'],
    [{ function_call: 'f' }, 'function_call', 'function_call is not supported: use tool_choice'],
    [{ modalities: ['text', 'audio'] }, 'modalities', 'only the text modality is supported'],
    [{ modalities: 'text' }, 'modalities', 'only the text modality is supported'],
    [{ audio: { voice: 'x' } }, 'audio', 'audio output is not supported'],
    [{ prediction: { type: 'content' } }, 'prediction', 'predicted outputs are not supported'],
    [{ web_search_options: { a: 1 } }, 'web_search_options', 'web search is not supported'],
  ])('refuses %j', (extra, param, message) => {
    expect(refusal(() => refuseUnsupported(request(extra)))).toEqual({
      message,
      param,
      code: 'unsupported_parameter',
    });
  });

  it('names the first unsupported parameter in a fixed order', () => {
    const both = request({ audio: { voice: 'x' }, functions: [{ name: 'f' }] });
    expect(refusal(() => refuseUnsupported(both)).param).toBe('functions');
  });
});

const result: QueryResult = {
  id: 'rec-1',
  response: 'Hello!',
  tokensUsed: 9,
  promptTokens: 4,
  completionTokens: 5,
  finishReason: 'stop',
  provider: 'builtin',
  model: 'echo-1',
  clientId: null,
  cache: 'MISS',
};

describe('chatCompletion', () => {
  it('builds the chat.completion object of a finished query', () => {
    expect(chatCompletion(result, 1700000000)).toEqual({
      id: 'chatcmpl-rec-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'echo-1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello!', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 },
      system_fingerprint: null,
    });
  });
});

describe('ChunkWriter', () => {
  const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 7 };
  const choice = (delta: object, finish: string | null) => [
    { index: 0, delta, logprobs: null, finish_reason: finish },
  ];

  it('sends the role once, then deltas, then the finish reason, without usage by default', () => {
    const writer = new ChunkWriter('chatcmpl-x', 7, 'asked', false);
    expect(writer.text('Hel')).toEqual([
      {
        ...base,
        model: 'asked',
        system_fingerprint: null,
        choices: choice({ role: 'assistant', content: '' }, null),
      },
      {
        ...base,
        model: 'asked',
        system_fingerprint: null,
        choices: choice({ content: 'Hel' }, null),
      },
    ]);
    expect(writer.text('lo')).toEqual([
      {
        ...base,
        model: 'asked',
        system_fingerprint: null,
        choices: choice({ content: 'lo' }, null),
      },
    ]);
    expect(writer.done({ ...result, finishReason: 'length' })).toEqual([
      { ...base, model: 'echo-1', system_fingerprint: null, choices: choice({}, 'length') },
    ]);
  });

  it('opens with the role even for an empty answer, and ends with usage when asked', () => {
    const writer = new ChunkWriter('chatcmpl-x', 7, 'asked', true);
    expect(writer.done(result)).toEqual([
      {
        ...base,
        model: 'asked',
        system_fingerprint: null,
        choices: choice({ role: 'assistant', content: '' }, null),
        usage: null,
      },
      {
        ...base,
        model: 'echo-1',
        system_fingerprint: null,
        choices: choice({}, 'stop'),
        usage: null,
      },
      {
        ...base,
        model: 'echo-1',
        system_fingerprint: null,
        choices: [],
        usage: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 },
      },
    ]);
  });
});
