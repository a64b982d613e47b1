import { describe, expect, it } from '@jest/globals';
import type { ChatMessage } from '../../providers/llm-provider.js';
import { InMemoryResponseStore } from './in-memory-response-store.js';
import { trimConversation, type StoredResponse } from './response-store.js';

const stored = (clientId: string | null, size = 10): StoredResponse => ({
  clientId,
  response: { pad: 'x'.repeat(size) },
  inputItems: [],
  messages: [],
});

describe('InMemoryResponseStore', () => {
  it('answers only the client that stored a response', async () => {
    const store = new InMemoryResponseStore({ maxEntries: 10, maxBytes: 10_000, ttlSeconds: 60 });
    await store.put('r1', stored('acme'));
    expect(await store.get('r1', 'acme')).toBeDefined();
    expect(await store.get('r1', 'beta')).toBeUndefined();
    expect(await store.get('r1', null)).toBeUndefined();
    expect(await store.delete('r1', 'beta')).toBe(false);
    expect(await store.delete('r1', 'acme')).toBe(true);
    expect(await store.get('r1', 'acme')).toBeUndefined();
  });

  it('drops the oldest beyond its count or bytes, and keeps nothing larger than the whole', async () => {
    const store = new InMemoryResponseStore({ maxEntries: 2, maxBytes: 400, ttlSeconds: 60 });
    for (const id of ['a', 'b', 'c']) await store.put(id, stored(null));
    expect(
      await Promise.all(
        ['a', 'b', 'c'].map(async (id) => (await store.get(id, null)) !== undefined),
      ),
    ).toEqual([false, true, true]);
    await store.put('big', stored(null, 300));
    expect(await store.get('b', null)).toBeUndefined();
    await store.put('huge', stored(null, 1000));
    expect(await store.get('huge', null)).toBeUndefined();
  });

  it('forgets a response once its time to live has passed', async () => {
    let now = 1_000_000;
    const store = new InMemoryResponseStore(
      { maxEntries: 10, maxBytes: 10_000, ttlSeconds: 60 },
      () => now,
    );
    await store.put('r1', stored('acme'));
    now += 59_000;
    expect(await store.get('r1', 'acme')).toBeDefined();
    now += 2_000;
    expect(await store.get('r1', 'acme')).toBeUndefined();
    expect(await store.delete('r1', 'acme')).toBe(false);
  });
});

describe('trimConversation', () => {
  const turn = (role: ChatMessage['role'], content: string): ChatMessage => ({ role, content });
  const conversation = [
    turn('user', 'a'.repeat(100)),
    turn('assistant', 'b'.repeat(100)),
    turn('tool', 'c'.repeat(100)),
    turn('user', 'd'.repeat(100)),
    turn('assistant', 'e'.repeat(100)),
    turn('user', 'now'),
  ];

  it('keeps a conversation within its budget whole', () => {
    expect(trimConversation(conversation, 10_000)).toBe(conversation);
  });

  it('drops the oldest turns first, and starts again at a user turn', () => {
    const kept = trimConversation(conversation, 400);
    expect(kept.map((m) => m.content[0])).toEqual(['d', 'e', 'n']);
  });

  it('always keeps the newest turn', () => {
    expect(trimConversation(conversation, 1)).toEqual([turn('user', 'now')]);
  });
});
