import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HumanMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { startTarget, type AgentTarget } from '../support/agent-target.js';

const weather = tool(({ city }) => JSON.stringify({ city, temperature: 21 }), {
  name: 'get_weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string() }),
});

/** LangChain's ChatOpenAI (`@langchain/openai`) as a client: bound tools and an agent loop. */
describe.each(['builtin', 'upstream'] as const)('LangChain ChatOpenAI (%s)', (kind) => {
  let target: AgentTarget;
  beforeAll(async () => {
    target = await startTarget(kind);
  });
  afterAll(() => target.stop());

  const chat = () =>
    new ChatOpenAI({
      model: target.model,
      apiKey: 'sk-unused',
      configuration: { baseURL: target.baseURL },
      maxRetries: 0,
    });

  it('runs a tool-calling loop with bindTools until the model answers', async () => {
    const model = chat().bindTools([weather]);
    const messages: BaseMessage[] = [new HumanMessage('What is the weather in Oslo?')];
    let steps = 0;
    for (; steps < 4; steps++) {
      const reply = await model.invoke(messages);
      messages.push(reply);
      if (!reply.tool_calls?.length) break;
      for (const call of reply.tool_calls) messages.push(await weather.invoke(call));
    }
    expect(steps).toBe(1);
    expect(messages.map((m) => m.getType())).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(messages.at(-1)!.text).toContain('"temperature":21');
  });

  it('streams a tool call that the chunks rebuild', async () => {
    let full: AIMessageChunk | undefined;
    for await (const chunk of await chat().bindTools([weather]).stream('Weather in Bergen?')) {
      full = full ? full.concat(chunk) : chunk;
    }
    expect(full?.tool_calls?.[0]).toMatchObject({
      name: 'get_weather',
      args: { city: expect.any(String) },
    });
  });

  it('gets structured output valid against a zod schema', async () => {
    const schema = z.object({ answer: z.string(), confidence: z.number() });
    const output = await chat().withStructuredOutput(schema).invoke('Is the sky blue?');
    expect(schema.safeParse(output).success).toBe(true);
  });
});
