import { describe, expect, it } from '@jest/globals';
import { TokenCounter } from '../tokens/token-counter.js';
import { BuiltinProvider, preview } from './builtin.provider.js';
import type { CompletionPart, CompletionRequest } from './llm-provider.js';

/** Counts characters: enough to see which texts were counted. */
const lengthCounter = { count: (text: string) => Promise.resolve(text.length) } as TokenCounter;

async function partsOf(stream: AsyncIterable<CompletionPart>): Promise<CompletionPart[]> {
  const parts: CompletionPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

describe('preview', () => {
  it('keeps prompts of up to 100 characters unchanged', () => {
    expect(preview('hello')).toBe('hello');
    expect(preview('a'.repeat(100))).toBe('a'.repeat(100));
  });

  it('cuts longer prompts to 100 characters and appends an ellipsis', () => {
    expect(preview('a'.repeat(101))).toBe(`${'a'.repeat(100)}...`);
  });

  it('counts characters as code points, as Python slices strings', () => {
    const emoji = '😀'.repeat(100); // 200 UTF-16 units, 100 code points
    expect(preview(emoji)).toBe(emoji);
    expect(preview(`${emoji}x`)).toBe(`${emoji}...`);
  });

  it('cuts long prompts exactly where a split into code points would', () => {
    const reference = (text: string) => {
      const chars = Array.from(text);
      return chars.length <= 100 ? text : `${chars.slice(0, 100).join('')}...`;
    };
    const pieces = ['a', '😀', '\ud800', '\udc00', 'é'];
    for (let seed = 1; seed <= 300; seed++) {
      let text = '';
      let state = seed;
      const length = 90 + (seed % 130);
      while (text.length < length) {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        text += pieces[state % pieces.length];
      }
      expect(preview(text)).toBe(reference(text));
      expect(preview(text + 'x'.repeat(100_000))).toBe(reference(text + 'x'.repeat(100_000)));
    }
  });
});

describe('BuiltinProvider', () => {
  const provider = new BuiltinProvider(new TokenCounter());

  it('answers "Processed: " plus the prompt and counts real tokens', async () => {
    const completion = await provider.complete({ prompt: 'Hello, world', maxTokens: 100 });
    expect(completion.text).toBe('Processed: Hello, world');
    expect(completion.model).toBe('builtin-echo');
    // cl100k_base: "Hello", ",", " world" / "Processed", ":", " Hello", ",", " world"
    expect(completion.promptTokens).toBe(3);
    expect(completion.completionTokens).toBe(5);
  });

  it('names itself builtin and answers with the configured model', async () => {
    expect(provider.name).toBe('builtin');
    expect(provider.model).toBe('builtin-echo');
    const custom = new BuiltinProvider(new TokenCounter(), 'echo-2');
    expect(custom.model).toBe('echo-2');
    expect((await custom.complete({ prompt: 'x', maxTokens: 10 })).model).toBe('echo-2');
  });

  it('counts the tokens of the cut answer, not of the whole prompt', async () => {
    const tokens = new TokenCounter();
    const prompt = 'word '.repeat(60); // 300 characters
    const completion = await provider.complete({ prompt, maxTokens: 100 });
    expect(completion.text).toBe(`Processed: ${prompt.slice(0, 100)}...`);
    expect(completion.promptTokens).toBe(await tokens.count(prompt));
    expect(completion.completionTokens).toBe(await tokens.count(completion.text));
    expect(completion.completionTokens).toBeLessThan(completion.promptTokens);
  });

  it('waits the simulated latency before answering', async () => {
    const slow = new BuiltinProvider(new TokenCounter(), 'builtin-echo', 60);
    const started = performance.now();
    await slow.complete({ prompt: 'x', maxTokens: 10 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('is deterministic', async () => {
    const a = await provider.complete({ prompt: 'same prompt', maxTokens: 10 });
    const b = await provider.complete({ prompt: 'same prompt', maxTokens: 10 });
    expect(b).toEqual(a);
  });

  it('honours abort during simulated latency', async () => {
    const slow = new BuiltinProvider(new TokenCounter(), 'builtin-echo', 10_000);
    const controller = new AbortController();
    const pending = slow.complete({ prompt: 'x', maxTokens: 10, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('BuiltinProvider streaming', () => {
  it('streams the answer word by word, then the completion once', async () => {
    const provider = new BuiltinProvider(lengthCounter);
    const parts = await partsOf(provider.stream({ prompt: 'two  words', maxTokens: 10 }));
    expect(parts).toEqual([
      { text: 'Processed:' },
      { text: ' two' },
      { text: '  words' },
      {
        completion: {
          text: 'Processed: two  words',
          model: 'builtin-echo',
          provider: 'builtin',
          promptTokens: 'two  words'.length,
          completionTokens: 'Processed: two  words'.length,
          finishReason: 'stop',
        },
      },
    ]);
  });

  it('spreads the simulated latency over the words', async () => {
    const provider = new BuiltinProvider(lengthCounter, 'builtin-echo', 300);
    const stamps: number[] = [];
    const started = performance.now();
    for await (const part of provider.stream({ prompt: 'a b', maxTokens: 10 })) {
      if ('text' in part) stamps.push(performance.now() - started);
    }
    // Three words, 100 ms apiece: the first waits its share, the last arrives after the total.
    expect(stamps).toHaveLength(3);
    expect(stamps[0]).toBeGreaterThanOrEqual(95);
    expect(stamps[0]).toBeLessThan(290);
    expect(stamps[2]).toBeGreaterThanOrEqual(295);
  });

  it('stops between words once the caller aborts, even without latency', async () => {
    const provider = new BuiltinProvider(lengthCounter);
    const controller = new AbortController();
    const seen: CompletionPart[] = [];
    const request: CompletionRequest = {
      prompt: 'a b c',
      maxTokens: 10,
      signal: controller.signal,
    };
    await expect(
      (async () => {
        for await (const part of provider.stream(request)) {
          seen.push(part);
          controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([{ text: 'Processed:' }]);
  });

  it('honours abort during the simulated latency of a stream, at once', async () => {
    const provider = new BuiltinProvider(lengthCounter, 'builtin-echo', 10_000);
    const controller = new AbortController();
    const stream = provider.stream({ prompt: 'x', maxTokens: 10, signal: controller.signal });
    const started = performance.now();
    const first = stream.next();
    setTimeout(() => controller.abort(), 20);
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    // Not at the end of the 5 s pause before the first of two words.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('answers and streams without a timer when no latency is set', async () => {
    const provider = new BuiltinProvider(lengthCounter);
    // Settled before the event loop turns: no timer (not even one of 0 ms) was involved.
    const beforeTurn = async <T>(work: Promise<T>) => {
      let turned = false;
      const immediate = setImmediate(() => (turned = true));
      await work;
      clearImmediate(immediate);
      return !turned;
    };
    expect(await beforeTurn(provider.complete({ prompt: 'a b', maxTokens: 10 }))).toBe(true);
    expect(await beforeTurn(partsOf(provider.stream({ prompt: 'a b', maxTokens: 10 })))).toBe(true);
  });

  it('counts the whole conversation as the prompt, one turn per line', async () => {
    const provider = new BuiltinProvider(lengthCounter);
    const completion = await provider.complete({
      prompt: 'last',
      maxTokens: 10,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'last' },
      ],
    });
    expect(completion.text).toBe('Processed: last');
    expect(completion.promptTokens).toBe('be brief\nlast'.length);
  });
});
