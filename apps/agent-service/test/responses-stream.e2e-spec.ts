import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createTestApp, type TestApp } from './support/test-app.js';

/** A streamed response goes out as the provider answers, not once the answer is complete. */
describe('POST /v1/responses streamed', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    // The built-in provider spreads this latency over the words of its answer.
    t = await createTestApp({ BUILTIN_LATENCY_MS: '2000' });
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('sends the first text delta well before the response is completed', async () => {
    const res = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'builtin-echo',
        input: 'one two three four five six seven eight',
        stream: true,
      }),
    });
    expect(res.status).toBe(200);
    const seen = new Map<string, number>();
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      for (const [, type] of text.matchAll(/^event: (\S+)$/gm)) {
        if (!seen.has(type)) seen.set(type, performance.now());
      }
    }
    const first = seen.get('response.output_text.delta');
    const completed = seen.get('response.completed');
    expect(first).toBeDefined();
    expect(completed).toBeDefined();
    // About 2 s of words come after the first; all at once would be a few milliseconds.
    expect(completed! - first!).toBeGreaterThan(800);
    expect(text.match(/event: response\.output_text\.delta/g)!.length).toBeGreaterThan(5);
  });
});
