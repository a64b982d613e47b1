import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { startTarget, type AgentTarget } from './support/agent-target.js';
import type { MockOpenAiUpstream } from './support/mock-openai-upstream.js';
import type { ServiceProcess } from './support/service-process.js';

const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['city', 'unit', 'days'],
      additionalProperties: false,
    },
    strict: true,
  },
};
const TIME = {
  type: 'function' as const,
  function: { name: 'get_time', parameters: { type: 'object', properties: {} } },
};
const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    answer: { type: 'string' },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['answer', 'confidence', 'tags'],
  additionalProperties: false,
};
const ajv = new Ajv({ strict: false });

/**
 * Tool calls, structured output and parameters on /v1/chat/completions, through the official SDK,
 * against the built-in provider and against an OpenAI-compatible upstream.
 */
describe.each(['builtin', 'upstream'] as const)('chat completions with tools (%s)', (kind) => {
  let target: AgentTarget;
  let upstream: MockOpenAiUpstream | undefined;
  let service: ServiceProcess;
  let client: OpenAI;
  let model: string;

  beforeAll(async () => {
    target = await startTarget(kind, { LLM_MAX_COMPLETION_TOKENS: '3000' });
    ({ upstream, service, model } = target);
    client = new OpenAI({ baseURL: target.baseURL, apiKey: 'sk-unused', maxRetries: 0 });
  });
  afterAll(() => target.stop());

  it('calls a tool with arguments valid against its schema, and answers from its result', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'What is the weather in Oslo?' },
    ];
    const first = await client.chat.completions.create({
      model,
      messages,
      tools: [TIME, WEATHER],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const choice = first.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('get_weather');
    expect(ajv.validate(WEATHER.function.parameters, JSON.parse(call.function.arguments))).toBe(
      true,
    );
    if (upstream)
      expect(upstream.last.tool_choice).toEqual({
        type: 'function',
        function: { name: 'get_weather' },
      });

    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temp": 21}' });
    const second = await client.chat.completions.create({
      model,
      messages,
      tools: [TIME, WEATHER],
    });
    expect(second.choices[0].finish_reason).toBe('stop');
    expect(second.choices[0].message.content).toContain('{"temp": 21}');
    expect(second.usage!.total_tokens).toBeGreaterThan(0);
    if (upstream) {
      // The conversation goes upstream as sent (the SDK's `refusal: null` is not a turn's field).
      const sent = JSON.parse(JSON.stringify(messages)) as Record<string, unknown>[];
      delete sent[1].refusal;
      expect(upstream.last.messages).toEqual(sent);
    }
  });

  it('streams a tool call as deltas that rebuild it, ending with finish_reason tool_calls', async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'time please' }],
      tools: [TIME, WEATHER],
      stream: true,
      stream_options: { include_usage: true },
    });
    const ids = new Set<string>();
    let args = '';
    let name = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      const delta = chunk.choices[0]?.delta;
      for (const call of delta?.tool_calls ?? []) {
        expect(call.index).toBe(0);
        name += call.function?.name ?? '';
        args += call.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(name).toBe('get_time');
    expect(JSON.parse(args)).toEqual({});
    expect(finish).toBe('tool_calls');
    expect(usage?.total_tokens).toBeGreaterThan(0);
    expect(ids.size).toBe(1);
    // An upstream's chunks go on as it sent them, its ids included.
    if (upstream) expect([...ids][0]).toMatch(/^chatcmpl-mock-/);
  });

  it('answers json_schema response formats with JSON valid against the schema', async () => {
    const completion = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'rate this' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'rating', schema: ANSWER_SCHEMA, strict: true },
      },
    });
    const content = completion.choices[0].message.content!;
    expect(ajv.validate(ANSWER_SCHEMA, JSON.parse(content))).toBe(true);
    if (upstream)
      expect(upstream.last.response_format).toMatchObject({
        type: 'json_schema',
        json_schema: { strict: true },
      });
  });

  it('forwards sampling parameters and keys the cache with them', async () => {
    const ask = (temperature: number) =>
      fetch(`${service.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          messages: [{ role: 'user', content: 'same words' }],
          temperature,
          seed: 7,
          top_p: 0.5,
          stop: ['zzz'],
          user: 'u1',
        }),
      });
    const first = await ask(0.2);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect((await ask(0.2)).headers.get('x-cache')).toBe('HIT');
    // The same conversation at another temperature is another request.
    expect((await ask(1.5)).headers.get('x-cache')).toBe('MISS');
    if (upstream) {
      expect(upstream.last).toMatchObject({
        temperature: 1.5,
        seed: 7,
        top_p: 0.5,
        stop: ['zzz'],
        user: 'u1',
      });
      expect(upstream.last).not.toHaveProperty('max_tokens');
    }
  });

  it('sends no max_tokens unless asked, and clamps one to LLM_MAX_COMPLETION_TOKENS', async () => {
    const completion = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'long one' }],
      max_completion_tokens: 50_000,
    });
    expect(completion.choices[0].finish_reason).toBe('stop');
    if (upstream) expect(upstream.last.max_completion_tokens).toBe(3000);
  });

  it('does not cache answers to requests with tools', async () => {
    const body = { model, messages: [{ role: 'user', content: 'tools again' }], tools: [TIME] };
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${service.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.headers.get('x-cache')).toBe('BYPASS');
      expect(((await res.json()) as OpenAI.ChatCompletion).choices[0].finish_reason).toBe(
        'tool_calls',
      );
    }
  });

  it('records every step of a tool loop in the history and in /metrics', async () => {
    const requestsOf = async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('gen_ai_client_requests_total{'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await requestsOf();
    const step = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'history of a step' }],
      tools: [WEATHER],
    });
    const record = await fetch(`${service.url}/queries/${step.id.replace(/^chatcmpl-/, '')}`);
    expect(record.status).toBe(200);
    expect(await record.json()).toMatchObject({
      prompt: 'history of a step',
      tokens_used: step.usage!.total_tokens,
    });
    expect(await requestsOf()).toBe(before + 1);
  });
});
