import { describe, expect, it } from '@jest/globals';
import { responseEvents } from './response-events.js';

const parse = (frame: string) => {
  const [event, data] = frame.trim().split('\n');
  const body = JSON.parse(data.slice('data: '.length)) as { type: string; sequence_number: number };
  expect(event).toBe(`event: ${body.type}`);
  return body;
};

describe('responseEvents', () => {
  it('sends a text answer and a function call in the order the SDKs assemble them', () => {
    const message = {
      type: 'message',
      id: 'msg_1',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Hi there', annotations: [], logprobs: [] }],
    };
    const call = {
      type: 'function_call',
      id: 'fc_1',
      call_id: 'c',
      name: 'f',
      arguments: '{"a":1}',
      status: 'completed',
    };
    const events = [
      ...responseEvents(
        { status: 'in_progress' },
        { status: 'completed', output: [message, call] },
      ),
    ].map(parse);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[4]).toMatchObject({
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'Hi',
    });
    expect(events[11]).toMatchObject({ item_id: 'fc_1', output_index: 1, arguments: '{"a":1}' });
    expect(events.at(-1)).toMatchObject({
      response: { status: 'completed', output: [message, call] },
    });
  });
});
