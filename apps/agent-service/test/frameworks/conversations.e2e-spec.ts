import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Agent,
  OpenAIConversationsSession,
  OpenAIResponsesModel,
  run,
  setTracingDisabled,
  tool,
} from '@openai/agents';
import { z } from 'zod';
import OpenAI, { NotFoundError } from 'openai';
import { startTarget, type AgentTarget } from '../support/agent-target.js';

type Sent = { role: string; content: string }[];

/** The Conversations API through the official `openai` SDK and the OpenAI Agents SDK. */
describe.each(['builtin', 'upstream'] as const)('Conversations API (%s)', (kind) => {
  let target: AgentTarget;
  let client: OpenAI;
  beforeAll(async () => {
    setTracingDisabled(true);
    target = await startTarget(kind);
    client = new OpenAI({ baseURL: target.baseURL, apiKey: 'sk-unused', maxRetries: 0 });
  });
  afterAll(() => target.stop());

  it('creates, reads, updates and deletes a conversation and its items', async () => {
    const conversation = await client.conversations.create({
      metadata: { topic: 'demo' },
      items: [{ type: 'message', role: 'user', content: 'first words' }],
    });
    expect(conversation).toMatchObject({ object: 'conversation', metadata: { topic: 'demo' } });
    expect(conversation.id).toMatch(/^conv_/);
    expect(await client.conversations.retrieve(conversation.id)).toEqual(conversation);
    const updated = await client.conversations.update(conversation.id, {
      metadata: { topic: 'x' },
    });
    expect(updated.metadata).toEqual({ topic: 'x' });

    const added = await client.conversations.items.create(conversation.id, {
      items: [
        { type: 'message', role: 'assistant', content: 'an answer' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'more' }] },
      ],
    });
    expect(added.data.map((i) => i.type)).toEqual(['message', 'message']);
    const [answer] = added.data;
    const answerId = answer.id!;
    expect(
      await client.conversations.items.retrieve(answerId, { conversation_id: conversation.id }),
    ).toEqual(answer);

    // Cursor pages of two, newest first, followed by the SDK's iterator.
    const seen: string[] = [];
    for await (const item of client.conversations.items.list(conversation.id, { limit: 2 })) {
      seen.push(item.id!);
    }
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBe(answerId);
    const oldestFirst = await client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(oldestFirst.data.map((i) => i.id)).toEqual([...seen].reverse());

    const after = await client.conversations.items.delete(answerId, {
      conversation_id: conversation.id,
    });
    expect(after.id).toBe(conversation.id);
    await expect(
      client.conversations.items.retrieve(answerId, { conversation_id: conversation.id }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await client.conversations.delete(conversation.id)).toEqual({
      id: conversation.id,
      object: 'conversation.deleted',
      deleted: true,
    });
    await expect(client.conversations.retrieve(conversation.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('answers with a conversation’s items as context and adds the turn to it', async () => {
    const conversation = await client.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'my name is Ada' }],
    });
    const first = await client.responses.create({
      model: target.model,
      input: 'what is my name?',
      conversation: conversation.id,
    });
    expect(first.conversation).toEqual({ id: conversation.id });
    if (target.upstream) {
      const sent = target.upstream.last.messages as Sent;
      expect(sent.map((m) => [m.role, m.content])).toEqual([
        ['user', 'my name is Ada'],
        ['user', 'what is my name?'],
      ]);
    }
    const second = await client.responses.create({
      model: target.model,
      input: 'and again',
      instructions: 'Be brief.',
      conversation: { id: conversation.id },
      stream: false,
    });
    if (target.upstream) {
      const sent = target.upstream.last.messages as Sent;
      expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'user', 'assistant', 'user']);
      expect(sent[3].content).toBe(first.output_text);
    }
    const items = await client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((i) => (i.type === 'message' ? i.role : i.type))).toEqual([
      'user',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    // The output items keep the ids the responses gave them.
    expect(items.data[2].id).toBe(first.output[0].id);
    expect(items.data[4].id).toBe(second.output[0].id);
    // Both turns' history records are linked to the conversation.
    const history = (await (await fetch(`${target.service.url}/queries?limit=100`)).json()) as {
      items: { conversation_id: string | null }[];
    };
    expect(history.items.filter((r) => r.conversation_id === conversation.id)).toHaveLength(2);
    await expect(
      client.responses.create({ model: target.model, input: 'x', conversation: 'conv_missing' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('streams a response in a conversation and adds the streamed turn to it', async () => {
    const conversation = await client.conversations.create();
    const stream = client.responses.stream({
      model: target.model,
      input: 'remember the stream',
      conversation: conversation.id,
    });
    const final = await stream.finalResponse();
    const items = await client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((i) => i.id)).toEqual([
      expect.stringMatching(/^msg_/),
      final.output[0].id,
    ]);
  });

  it('gives an Agents SDK agent run twice in one OpenAIConversationsSession the first run’s turns', async () => {
    const agent = new Agent({
      name: 'Assistant',
      instructions: 'Answer briefly.',
      model: new OpenAIResponsesModel(client, target.model),
    });
    const session = new OpenAIConversationsSession({ client });
    const first = await run(agent, 'My favourite colour is teal.', { session });
    expect(String(first.finalOutput)).toBeTruthy();
    const second = await run(agent, 'What is my favourite colour?', { session });
    expect(String(second.finalOutput)).toBeTruthy();
    if (target.upstream) {
      // The second run sent the first run's question and answer before the new question.
      const sent = target.upstream.last.messages as Sent;
      expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
      expect(sent[1].content).toBe('My favourite colour is teal.');
      expect(sent[2].content).toBe(String(first.finalOutput));
    }
    const stored = await session.getItems();
    expect(stored).toHaveLength(4);

    // A run that calls a tool keeps the call and its output in the conversation too.
    const forecaster = new Agent({
      name: 'Forecaster',
      instructions: 'Answer with the weather.',
      tools: [
        tool({
          name: 'get_weather',
          description: 'The weather in a city',
          parameters: z.object({ city: z.string() }),
          execute: ({ city }) => `sunny in ${city}`,
        }),
      ],
      model: new OpenAIResponsesModel(client, target.model),
    });
    const third = await run(forecaster, 'Weather in Oslo?', { session });
    expect(String(third.finalOutput)).toContain('sunny in');
    const types = (await session.getItems()).slice(4).map((i) => i.type);
    expect(types).toEqual(['message', 'function_call', 'function_call_result', 'message']);
    const id = await session.getSessionId();
    expect((await client.conversations.retrieve(id)).id).toBe(id);
    await session.clearSession();
    await expect(client.conversations.retrieve(id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
