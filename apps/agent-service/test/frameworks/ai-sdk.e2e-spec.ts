import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { startTarget, type AgentTarget } from '../support/agent-target.js';

const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']) }),
  execute: ({ city }) => Promise.resolve({ city, temperature: 21 }),
});

/** The Vercel AI SDK (`ai` with `@ai-sdk/openai` and `@ai-sdk/openai-compatible`) as a client. */
describe.each(['builtin', 'upstream'] as const)('Vercel AI SDK (%s)', (kind) => {
  let target: AgentTarget;
  beforeAll(async () => {
    target = await startTarget(kind);
  });
  afterAll(() => target.stop());

  const openai = () =>
    createOpenAI({ baseURL: target.baseURL, apiKey: 'sk-unused' }).chat(target.model);

  it('runs a tool-calling loop with generateText until the model answers', async () => {
    const result = await generateText({
      model: openai(),
      tools: { weather },
      stopWhen: stepCountIs(4),
      prompt: 'What is the weather in Oslo?',
    });
    expect(result.steps).toHaveLength(2);
    const [call] = result.steps[0].toolCalls;
    expect(call.toolName).toBe('weather');
    expect(result.steps[0].finishReason).toBe('tool-calls');
    expect(result.text).toContain('"temperature":21');
    expect(result.finishReason).toBe('stop');
    expect(result.totalUsage.totalTokens).toBeGreaterThan(0);
  });

  it('runs the same loop streamed with streamText', async () => {
    const result = streamText({
      model: openai(),
      tools: { weather },
      stopWhen: stepCountIs(4),
      prompt: 'And in Bergen?',
    });
    let streamed = '';
    for await (const delta of result.textStream) streamed += delta;
    const steps = await result.steps;
    expect(steps).toHaveLength(2);
    expect(steps[0].toolCalls[0].toolName).toBe('weather');
    expect(streamed).toContain('"temperature":21');
    expect((await result.totalUsage).totalTokens).toBeGreaterThan(0);
  });

  it('gets structured output valid against a zod schema', async () => {
    const schema = z.object({
      answer: z.string(),
      confidence: z.number(),
      tags: z.array(z.string()),
    });
    const { output } = await generateText({
      model: openai(),
      output: Output.object({ schema }),
      prompt: 'Is the sky blue?',
    });
    expect(schema.safeParse(output).success).toBe(true);
  });

  it('works through @ai-sdk/openai-compatible too', async () => {
    const compatible = createOpenAICompatible({
      name: 'agent',
      baseURL: target.baseURL,
      apiKey: 'sk-unused',
    });
    const result = await generateText({
      model: compatible(target.model),
      tools: { weather },
      stopWhen: stepCountIs(4),
      prompt: 'Weather in Tromsø?',
    });
    expect(result.steps.map((s) => s.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(result.text).toContain('"temperature":21');
  });
});
