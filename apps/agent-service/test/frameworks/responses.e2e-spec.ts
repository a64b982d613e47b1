import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, OpenAIResponsesModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI, { NotFoundError } from 'openai';
import { z } from 'zod';
import { startTarget, type AgentTarget } from '../support/agent-target.js';

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

/** The Responses API through the official `openai` SDK and the OpenAI Agents SDK. */
describe.each(['builtin', 'upstream'] as const)('Responses API (%s)', (kind) => {
  let target: AgentTarget;
  let client: OpenAI;
  beforeAll(async () => {
    setTracingDisabled(true);
    target = await startTarget(kind);
    client = new OpenAI({ baseURL: target.baseURL, apiKey: 'sk-unused', maxRetries: 0 });
  });
  afterAll(() => target.stop());

  it('answers text input, stores it, continues it with previous_response_id, deletes it', async () => {
    const first = await client.responses.create({
      model: target.model,
      input: 'hello there',
      instructions: 'Be brief.',
    });
    expect(first.status).toBe('completed');
    expect(first.output_text).toMatch(/hello there/);
    expect(first.usage!.total_tokens).toBeGreaterThan(0);
    expect((await client.responses.retrieve(first.id)).output_text).toBe(first.output_text);
    const items = await client.responses.inputItems.list(first.id);
    expect(items.data).toHaveLength(1);

    const second = await client.responses.create({
      model: target.model,
      input: 'and again',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
    if (target.upstream) {
      const sent = target.upstream.last.messages as { role: string; content: string }[];
      // The earlier turns come back from the store; the earlier instructions do not.
      expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(sent[0].content).toBe('hello there');
    }
    await client.responses.delete(first.id);
    await expect(client.responses.retrieve(first.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('calls a function tool, then answers from its output', async () => {
    const first = await client.responses.create({
      model: target.model,
      input: 'Weather in Oslo?',
      tools: [WEATHER],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
    expect(JSON.parse(call!.arguments)).toEqual({ city: expect.any(String) });
    const second = await client.responses.create({
      model: target.model,
      previous_response_id: first.id,
      tools: [WEATHER],
      input: [
        { type: 'function_call_output', call_id: call!.call_id, output: '{"temperature":21}' },
      ],
    });
    expect(second.output_text).toContain('{"temperature":21}');
  });

  it('answers a json_schema text format with JSON valid against it', async () => {
    const schema = z.object({ answer: z.string(), confidence: z.number() });
    const response = await client.responses.create({
      model: target.model,
      input: 'Is the sky blue?',
      text: {
        format: {
          type: 'json_schema',
          name: 'verdict',
          schema: z.toJSONSchema(schema),
          strict: true,
        },
      },
      max_output_tokens: 200,
    });
    expect(schema.safeParse(JSON.parse(response.output_text)).success).toBe(true);
  });

  it('streams the event sequence the SDK assembles, text and function calls', async () => {
    const stream = client.responses.stream({ model: target.model, input: 'stream me please' });
    const types: string[] = [];
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
    }
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types).toContain('response.output_text.delta');
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(sequence).toEqual(sequence.map((_, i) => i));
    const final = await stream.finalResponse();
    expect(final.output_text).toMatch(/stream me please/);

    const calls = client.responses.stream({
      model: target.model,
      input: 'Weather?',
      tools: [WEATHER],
    });
    const seen: string[] = [];
    for await (const event of calls) seen.push(event.type);
    expect(seen).toEqual(
      expect.arrayContaining([
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
      ]),
    );
    expect((await calls.finalResponse()).output[0]).toMatchObject({
      type: 'function_call',
      name: 'get_weather',
    });
  });

  it('runs an Agents SDK agent with a function tool to its final output', async () => {
    const getWeather = tool({
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => `sunny in ${city}`,
    });
    const agent = new Agent({
      name: 'Forecaster',
      instructions: 'Answer with the weather.',
      tools: [getWeather],
      model: new OpenAIResponsesModel(client, target.model),
    });
    const result = await run(agent, 'What is the weather in Oslo?');
    expect(String(result.finalOutput)).toContain('sunny in');
    expect(result.newItems.map((i) => i.type)).toEqual([
      'tool_call_item',
      'tool_call_output_item',
      'message_output_item',
    ]);
  });
});
