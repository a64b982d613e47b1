import { describe, expect, it } from '@jest/globals';
import { builtinAnswer } from './builtin-answer.js';
import type { ChatMessage, CompletionRequest } from './llm-provider.js';

const tool = (name: string, parameters?: object) => ({
  type: 'function',
  function: { name, parameters },
});
const ask = (params: Record<string, unknown>, messages?: ChatMessage[]): CompletionRequest => ({
  prompt: 'hi there',
  messages,
  maxTokens: 100,
  params,
});

describe('builtinAnswer', () => {
  it('answers as /query does without tools or formats', () => {
    expect(builtinAnswer(ask({}))).toEqual({ text: 'Processed: hi there', finishReason: 'stop' });
  });

  it('calls the first function tool with arguments its schema accepts, with a stable id', () => {
    const schema = {
      type: 'object',
      properties: { n: { type: 'integer', minimum: 3 } },
      required: ['n'],
    };
    const answer = builtinAnswer(ask({ tools: [tool('count', schema), tool('other')] }));
    expect(answer).toMatchObject({ text: '', finishReason: 'tool_calls' });
    expect(answer.toolCalls).toEqual([
      {
        id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
        type: 'function',
        function: { name: 'count', arguments: '{"n":3}' },
      },
    ]);
    expect(builtinAnswer(ask({ tools: [tool('count', schema)] })).toolCalls![0].id).toBe(
      answer.toolCalls![0].id,
    );
  });

  it('calls the tool tool_choice names, and none with tool_choice none', () => {
    const tools = [tool('a'), tool('b')];
    const named = builtinAnswer(
      ask({ tools, tool_choice: { type: 'function', function: { name: 'b' } } }),
    );
    expect(named.toolCalls![0].function).toEqual({ name: 'b', arguments: '{}' });
    expect(builtinAnswer(ask({ tools, tool_choice: 'none' })).toolCalls).toBeUndefined();
  });

  it('answers from the tool results once they follow the last user turn', () => {
    const call = {
      id: 'c1',
      type: 'function' as const,
      function: { name: 'weather', arguments: '{}' },
    };
    const answer = builtinAnswer(
      ask({ tools: [tool('weather')] }, [
        { role: 'user', content: 'hi there' },
        { role: 'assistant', content: '', tool_calls: [call] },
        { role: 'tool', content: 'sunny', tool_call_id: 'c1' },
      ]),
    );
    expect(answer).toEqual({ text: 'weather returned sunny', finishReason: 'stop' });
  });

  it('follows response_format and cuts at the first stop sequence', () => {
    const schema = { type: 'object', properties: { r: { type: 'string' } }, required: ['r'] };
    expect(
      builtinAnswer(
        ask({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } }),
      ).text,
    ).toBe('{"r":"Processed: hi there"}');
    expect(builtinAnswer(ask({ response_format: { type: 'json_object' } })).text).toBe(
      '{"response":"Processed: hi there"}',
    );
    expect(builtinAnswer(ask({ stop: ['there', 'ss'] })).text).toBe('Proce');
  });
});
