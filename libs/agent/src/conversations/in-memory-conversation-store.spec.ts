import { describe, expect, it } from '@jest/globals';
import type { ConversationItem } from './conversation-store.js';
import { InMemoryConversationStore } from './in-memory-conversation-store.js';

const item = (id: string, size = 10): ConversationItem => ({
  id,
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text: 'x'.repeat(size) }],
});
const ids = (items: ConversationItem[] | undefined) => items?.map((i) => i.id);

describe('InMemoryConversationStore', () => {
  const limits = { ttlSeconds: 60, maxBytes: 10_000, totalMaxBytes: 100_000 };

  it('answers only the client that made a conversation', async () => {
    const store = new InMemoryConversationStore(limits);
    const { id } = await store.create('acme', { topic: 'a' }, [item('i1')]);
    expect(await store.get(id, 'acme')).toMatchObject({ id, metadata: { topic: 'a' } });
    for (const other of ['beta', null]) {
      expect(await store.get(id, other)).toBeUndefined();
      expect(await store.items(id, other)).toBeUndefined();
      expect(await store.append(id, other, [item('i2')])).toBe(false);
      expect(await store.item(id, other, 'i1')).toBeUndefined();
      expect(await store.deleteItem(id, other, 'i1')).toBe(false);
      expect(await store.update(id, other, {})).toBeUndefined();
      expect(await store.delete(id, other)).toBe(false);
    }
    expect(ids(await store.items(id, 'acme'))).toEqual(['i1']);
  });

  it('pages items by cursor in either order', async () => {
    const store = new InMemoryConversationStore(limits);
    const { id } = await store.create(
      null,
      {},
      ['a', 'b', 'c', 'd'].map((i) => item(i)),
    );
    const first = await store.page(id, null, { limit: 3, order: 'desc' });
    expect([ids(first?.items), first?.hasMore]).toEqual([['d', 'c', 'b'], true]);
    const next = await store.page(id, null, { after: 'b', limit: 3, order: 'desc' });
    expect([ids(next?.items), next?.hasMore]).toEqual([['a'], false]);
    const asc = await store.page(id, null, { after: 'a', limit: 2, order: 'asc' });
    expect([ids(asc?.items), asc?.hasMore]).toEqual([['b', 'c'], true]);
    expect((await store.page(id, null, { after: 'zz', limit: 2, order: 'asc' }))?.items).toEqual(
      [],
    );
  });

  it('drops the oldest items beyond a conversation’s bytes, and the least used conversations beyond the total', async () => {
    const one = JSON.stringify(item('a', 100)).length;
    const store = new InMemoryConversationStore({
      ttlSeconds: 60,
      maxBytes: 3 * one,
      totalMaxBytes: 5 * one,
    });
    const a = await store.create(null, {}, []);
    await store.append(
      a.id,
      null,
      ['a', 'b', 'c', 'd'].map((i) => item(i, 100)),
    );
    expect(ids(await store.items(a.id, null))).toEqual(['b', 'c', 'd']);
    const b = await store.create(
      null,
      {},
      ['e', 'f'].map((i) => item(i, 100)),
    );
    // a was used last: it stays, b goes when c needs the room.
    await store.get(a.id, null);
    const c = await store.create(null, {}, [item('g', 100)]);
    await store.append(c.id, null, [item('h', 100)]);
    expect(await store.get(b.id, null)).toBeUndefined();
    expect(ids(await store.items(a.id, null))).toEqual(['b', 'c', 'd']);
    expect(ids(await store.items(c.id, null))).toEqual(['g', 'h']);
  });

  it('forgets a conversation left unused for its time to live; each use renews it', async () => {
    let now = 1_000_000;
    const store = new InMemoryConversationStore(limits, () => now);
    const { id } = await store.create('acme', {}, [item('a')]);
    now += 50_000;
    expect(await store.get(id, 'acme')).toBeDefined();
    now += 50_000;
    expect(ids(await store.items(id, 'acme'))).toEqual(['a']);
    now += 61_000;
    expect(await store.get(id, 'acme')).toBeUndefined();
    expect(await store.append(id, 'acme', [item('b')])).toBe(false);
  });

  it('deletes single items and whole conversations', async () => {
    const store = new InMemoryConversationStore(limits);
    const { id } = await store.create(null, {}, [item('a'), item('b')]);
    expect(await store.deleteItem(id, null, 'a')).toBe(true);
    expect(await store.deleteItem(id, null, 'a')).toBe(false);
    expect(await store.item(id, null, 'b')).toMatchObject({ id: 'b' });
    expect(await store.delete(id, null)).toBe(true);
    expect(await store.get(id, null)).toBeUndefined();
  });
});
