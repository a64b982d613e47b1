import { describe, expect, it } from '@jest/globals';
import { readParameters } from './chat-parameters.js';
import { OpenAiRequestError } from './openai-error.js';

const read = (extra: Record<string, unknown>) =>
  readParameters({ model: 'm', messages: [], ...extra }, 1000);
const paramOf = (extra: Record<string, unknown>) => {
  try {
    read(extra);
  } catch (error) {
    expect(error).toBeInstanceOf(OpenAiRequestError);
    return (error as OpenAiRequestError).param;
  }
  throw new Error('expected a refusal');
};
const fn = (name: string, extra: object = {}) => ({
  type: 'function',
  function: { name, ...extra },
});

describe('readParameters', () => {
  it('forwards sampling parameters as given, and only those that were sent', () => {
    const sampling = {
      temperature: 0.3,
      top_p: 0.9,
      seed: 4,
      user: 'u',
      presence_penalty: 1,
      frequency_penalty: -1,
      logprobs: true,
      top_logprobs: 2,
      parallel_tool_calls: false,
    };
    expect(read({ ...sampling, store: true, metadata: { a: 'b' }, service_tier: 'auto' })).toEqual({
      params: sampling,
      maxTokens: 1000,
      cacheable: false,
    });
    expect(read({ temperature: null })).toEqual({ params: {}, maxTokens: 1000, cacheable: true });
  });

  it('copies tools, tool_choice and response_format field by field', () => {
    const parameters = { type: 'object', properties: {} };
    const { params, cacheable } = read({
      tools: [{ ...fn('a', { parameters, strict: true, description: 'd', extra: 1 }), extra: 2 }],
      tool_choice: { type: 'function', function: { name: 'a' }, more: 1 },
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'r', schema: parameters, strict: null },
      },
    });
    expect(params).toEqual({
      tools: [
        { type: 'function', function: { name: 'a', description: 'd', parameters, strict: true } },
      ],
      tool_choice: { type: 'function', function: { name: 'a' } },
      response_format: { type: 'json_schema', json_schema: { name: 'r', schema: parameters } },
    });
    expect(cacheable).toBe(false);
    expect(read({ response_format: { type: 'text' }, tools: [] }).params).toEqual({});
  });

  it.each([
    [{ tools: Array.from({ length: 129 }, (_, i) => fn(`f${i}`)) }, 'tools'],
    [{ tools: [{ type: 'web_search' }] }, 'tools[0].type'],
    [{ tools: [fn('a'), fn('a')] }, 'tools[1].function.name'],
    [{ tools: [fn('x'.repeat(65))] }, 'tools[0].function.name'],
    [{ tools: [fn('a', { parameters: [] })] }, 'tools[0].function.parameters'],
    [{ tools: [fn('a', { description: 'd'.repeat(40_000) })] }, 'tools[0].function.description'],
    [{ tools: [fn('a', { strict: 'yes' })] }, 'tools[0].function.strict'],
    [
      { tools: [fn('a')], tool_choice: { type: 'function', function: { name: 'b' } } },
      'tool_choice',
    ],
    [{ tool_choice: 'required' }, 'tool_choice'],
    [
      { response_format: { type: 'json_schema', json_schema: { name: 'a b' } } },
      'response_format.json_schema.name',
    ],
    [{ response_format: { type: 'yaml' } }, 'response_format.type'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ stop: 'x'.repeat(257) }, 'stop'],
    [{ stop: [1] }, 'stop'],
    [{ n: 9 }, 'n'],
    [{ n: 0 }, 'n'],
    [{ logit_bias: { abc: 1 } }, 'logit_bias'],
    [{ logit_bias: { 12: 101 } }, 'logit_bias'],
    [{ max_tokens: 0 }, 'max_tokens'],
  ])('refuses %j, naming %s', (extra, param) => {
    expect(paramOf(extra)).toBe(param);
  });

  it('keeps the token bound under its own name, clamped to the ceiling', () => {
    expect(read({ max_tokens: 5000 })).toMatchObject({
      params: { max_tokens: 1000 },
      maxTokens: 1000,
    });
    expect(read({ max_completion_tokens: 20, max_tokens: 30 })).toMatchObject({
      params: { max_completion_tokens: 20 },
      maxTokens: 20,
    });
  });
});
