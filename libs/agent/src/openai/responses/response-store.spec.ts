import { describe, expect, it } from '@jest/globals';
import type { ChatMessage } from '../../providers/llm-provider.js';
import { InMemoryResponseStore, trimConversation, type StoredResponse } from './response-store.js';

const stored = (clientId: string | null, size = 10): StoredResponse => ({
  clientId,
  response: { pad: 'x'.repeat(size) },
  inputItems: [],
  messages: [],
});

describe('InMemoryResponseStore', () => {
  it('answers only the client that stored a response', () => {
    const store = new InMemoryResponseStore({ maxEntries: 10, maxBytes: 10_000 });
    store.put('r1', stored('acme'));
    expect(store.get('r1', 'acme')).toBeDefined();
    expect(store.get('r1', 'beta')).toBeUndefined();
    expect(store.get('r1', null)).toBeUndefined();
    expect(store.delete('r1', 'beta')).toBe(false);
    expect(store.delete('r1', 'acme')).toBe(true);
    expect(store.get('r1', 'acme')).toBeUndefined();
  });

  it('drops the oldest beyond its count or bytes, and keeps nothing larger than the whole', () => {
    const store = new InMemoryResponseStore({ maxEntries: 2, maxBytes: 400 });
    for (const id of ['a', 'b', 'c']) store.put(id, stored(null));
    expect(['a', 'b', 'c'].map((id) => store.get(id, null) !== undefined)).toEqual([
      false,
      true,
      true,
    ]);
    store.put('big', stored(null, 300));
    expect(store.get('b', null)).toBeUndefined();
    store.put('huge', stored(null, 1000));
    expect(store.get('huge', null)).toBeUndefined();
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
