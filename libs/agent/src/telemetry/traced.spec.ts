import { beforeEach, describe, expect, it } from '@jest/globals';
import { recordSpans } from '@app/platform/telemetry/testing';
import { InMemoryResponseCache } from '../cache/in-memory-response-cache.js';
import { InMemoryQueryHistory } from '../history/in-memory-query-history.js';
import type { QueryRecord } from '../history/query-record.js';
import { withMethods } from './traced.js';
import { traceQueryHistory } from './traced-query-history.js';
import { traceResponseCache } from './traced-response-cache.js';

const recorder = recordSpans();

class Store {
  #secret = 41;
  hooked = false;
  read(): number {
    return this.#secret + 1;
  }
  beforeApplicationShutdown(): void {
    this.hooked = true;
  }
}

describe('traced stores', () => {
  beforeEach(() => recorder.reset());

  it('keep their class, private fields and lifecycle hooks', () => {
    const store = new Store();
    const wrapped = withMethods(store, {});
    expect(wrapped).toBeInstanceOf(Store);
    expect(wrapped.read()).toBe(42);
    wrapped.beforeApplicationShutdown();
    expect(store.hooked).toBe(true);
    expect(withMethods(store, { read: () => 7 }).read()).toBe(7);
  });

  it('trace cache lookups as hit or miss', async () => {
    const cache = traceResponseCache(
      new InMemoryResponseCache({ maxEntries: 10, maxBytes: 1e6, ttlSeconds: 60 }),
      'memory',
    );
    expect(cache).toBeInstanceOf(InMemoryResponseCache);
    await cache.set('k', { text: 't', model: 'm', promptTokens: 1, completionTokens: 1 });
    await cache.get('k');
    await cache.get('other');
    expect(recorder.spans().map((s) => [s.name, s.attributes['cache.hit']])).toEqual([
      ['cache.lookup', true],
      ['cache.lookup', false],
    ]);
  });

  it('trace history writes and reads without their content', async () => {
    const history = traceQueryHistory(
      new InMemoryQueryHistory({ maxRecords: 10, maxBytes: 1e6 }),
      'memory',
    );
    const record = {
      id: '00000000-0000-4000-8000-000000000001',
      createdAt: new Date(),
      outcome: 'answered',
      requestId: null,
      clientId: null,
      provider: 'builtin',
      model: 'builtin-echo',
      prompt: 'secret prompt',
      response: 'secret answer',
    } as unknown as QueryRecord;
    history.record(record);
    await history.get(record.id);
    await history.list(5);
    const spans = recorder.spans();
    expect(spans.map((s) => s.name)).toEqual(['history.record', 'history.get', 'history.list']);
    expect(spans[0].attributes).toEqual({
      'history.backend': 'memory',
      'history.outcome': 'answered',
    });
    expect(spans[1].attributes['history.found']).toBe(true);
    expect(spans[2].attributes['history.items']).toBe(1);
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('secret');
  });
});
