import { describe, expect, it } from '@jest/globals';
import { ResponseEventWriter } from './response-events.js';

const parse = (frames: string) =>
  frames
    .split('\n\n')
    .filter((frame) => frame.trim())
    .map((frame) => {
      const [event, data] = frame.trim().split('\n');
      const body = JSON.parse(data.slice('data: '.length)) as {
        type: string;
        sequence_number: number;
      };
      expect(event).toBe(`event: ${body.type}`);
      return body;
    });

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

describe('ResponseEventWriter', () => {
  it('sends text as it comes, then a function call, in the order the SDKs assemble them', () => {
    const writer = new ResponseEventWriter({ status: 'in_progress' }, 'msg_1');
    const started = parse(writer.start());
    expect(started.map((e) => e.type)).toEqual(['response.created', 'response.in_progress']);
    // Nothing for an empty piece (an upstream chunk that only carries a tool call).
    expect(writer.text('')).toBe('');
    const first = parse(writer.text('Hi'));
    expect(first.map((e) => e.type)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    expect(first[2]).toMatchObject({ item_id: 'msg_1', output_index: 0, delta: 'Hi' });
    const second = parse(writer.text(' there'));
    expect(second.map((e) => e.type)).toEqual(['response.output_text.delta']);
    const done = parse(writer.finish({ status: 'completed', output: [message, call] }));
    expect(done.map((e) => e.type)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const all = [...started, ...first, ...second, ...done];
    expect(all.map((e) => e.sequence_number)).toEqual(all.map((_, i) => i));
    expect(done[5]).toMatchObject({ item_id: 'fc_1', output_index: 1, arguments: '{"a":1}' });
    expect(done.at(-1)).toMatchObject({
      response: { status: 'completed', output: [message, call] },
    });
  });

  it('opens the message at the end when no text came before it', () => {
    const writer = new ResponseEventWriter({ status: 'in_progress' }, 'msg_1');
    writer.start();
    const done = parse(writer.finish({ status: 'completed', output: [message] }));
    expect(done.map((e) => e.type)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(done[0].sequence_number).toBe(2);
  });
});
