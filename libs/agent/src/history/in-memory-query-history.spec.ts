import { describe, expect, it } from '@jest/globals';
import { InMemoryQueryHistory } from './in-memory-query-history.js';
import { estimateRecordBytes, type QueryRecord } from './query-record.js';

const record = (n: number, prompt = `p${n}`): QueryRecord => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  createdAt: new Date(1_700_000_000_000 + n),
  requestId: null,
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
});
