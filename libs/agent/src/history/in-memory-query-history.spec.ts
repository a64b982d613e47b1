import { describe, expect, it } from '@jest/globals';
import { InMemoryQueryHistory } from './in-memory-query-history.js';
import { estimateRecordBytes, type QueryRecord } from './query-record.js';

const record = (n: number, prompt = `p${n}`, clientId: string | null = null): QueryRecord => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  createdAt: new Date(1_700_000_000_000 + n),
  requestId: null,
  clientId,
  conversationId: null,
  outcome: 'answered',
  provider: 'builtin',
  model: 'builtin-echo',
  prompt,
  response: `r${n}`,
  promptChars: prompt.length,
  responseChars: 2,
  promptSha256: 'a'.repeat(64),
  maxTokens: 100,
  promptTokens: 1,
  completionTokens: 1,
  tokensUsed: 2,
  latencyMs: 1,
  cacheStatus: 'MISS',
});

describe('InMemoryQueryHistory', () => {
  it('keeps the newest records up to its record bound', async () => {
    const history = new InMemoryQueryHistory({ maxRecords: 3, maxBytes: 1024 ** 2 });
    for (let i = 0; i < 5; i++) history.record(record(i));
    const kept = (await history.list(100)).items.map((r) => r.prompt);
    expect(kept).toEqual(['p4', 'p3', 'p2']);
    expect(await history.get(record(0).id)).toBeUndefined();
  });

  it('keeps the newest records up to its byte bound', async () => {
    const big = (n: number) => record(n, 'x'.repeat(100_000));
    const size = estimateRecordBytes(big(0));
    const history = new InMemoryQueryHistory({ maxRecords: 1000, maxBytes: size * 3 });
    for (let i = 0; i < 10; i++) history.record(big(i));
    const kept = (await history.list(100)).items;
    expect(kept.map((r) => r.id)).toEqual([big(9).id, big(8).id, big(7).id]);
  });

  it('reading a record does not save it from eviction', async () => {
    const history = new InMemoryQueryHistory({ maxRecords: 2, maxBytes: 1024 ** 2 });
    history.record(record(1));
    history.record(record(2));
    await history.get(record(1).id);
    history.record(record(3));
    expect(await history.get(record(1).id)).toBeUndefined();
    expect((await history.get(record(2).id))?.prompt).toBe('p2');
  });

  it('shows a client only its own records, and everything when no client is given', async () => {
    const history = new InMemoryQueryHistory({ maxRecords: 10, maxBytes: 1024 ** 2 });
    history.record(record(1, 'a1', 'acme'));
    history.record(record(2, 'b1', 'beta'));
    history.record(record(3, 'n1', null));
    history.record(record(4, 'a2', 'acme'));
    const prompts = async (clientId?: string) =>
      (await history.list(10, undefined, clientId)).items.map((r) => r.prompt);
    expect(await prompts('acme')).toEqual(['a2', 'a1']);
    expect(await prompts('beta')).toEqual(['b1']);
    expect(await prompts()).toEqual(['a2', 'n1', 'b1', 'a1']);
    expect(await history.get(record(2).id, 'acme')).toBeUndefined();
    expect((await history.get(record(2).id, 'beta'))?.prompt).toBe('b1');
    expect(await history.get(record(3).id, 'acme')).toBeUndefined();
    // Pages of one client are cut from that client's records only.
    const first = await history.list(1, undefined, 'acme');
    expect(first.items.map((r) => r.prompt)).toEqual(['a2']);
    const next = await history.list(1, first.nextCursor, 'acme');
    expect(next.items.map((r) => r.prompt)).toEqual(['a1']);
  });
});
