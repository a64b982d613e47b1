import { describe, expect, it } from '@jest/globals';
import { inputMessages, outputMessages, truncateUtf8 } from './message-capture.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('truncateUtf8', () => {
  it('keeps a text that fits, whole', () => {
    expect(truncateUtf8('hello', 5)).toBe('hello');
    expect(truncateUtf8('', 16)).toBe('');
  });

  it('cuts ASCII at the byte limit', () => {
    expect(truncateUtf8('abcdefgh', 5)).toBe('abcde');
  });

  it('never splits a multi-byte character and never exceeds the limit', () => {
    // é is 2 bytes, € 3, 😀 4 (a surrogate pair in JavaScript).
    for (const text of ['ééééé', '€€€€', '😀😀😀', 'a😀b€cé'.repeat(20)]) {
      for (let limit = 16; limit < 40; limit += 1) {
        const cut = truncateUtf8(text, limit);
        expect(bytes(cut)).toBeLessThanOrEqual(limit);
        expect(text.startsWith(cut)).toBe(true);
        expect(cut).not.toContain('\uFFFD');
        // As long as possible: one more character would not fit.
        const next = text.slice(0, cut.length + (text.codePointAt(cut.length)! > 0xffff ? 2 : 1));
        if (cut.length < text.length) expect(bytes(next)).toBeGreaterThan(limit);
      }
    }
  });
});

describe('GenAI message attributes', () => {
  it('shapes the conversation and bounds each message and the whole attribute', () => {
    const long = 'p'.repeat(10_000);
    const json = inputMessages(
      [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: long },
      ],
      96,
    );
    expect(bytes(json)).toBeLessThanOrEqual(96);
    expect(
      json.startsWith('[{"role":"system","parts":[{"type":"text","content":"be brief"}]}'),
    ).toBe(true);
    const small = JSON.parse(inputMessages([{ role: 'user', content: 'hi' }], 1024)) as unknown;
    expect(small).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
  });

  it('shapes the answer with its finish reason, bounded', () => {
    expect(JSON.parse(outputMessages('Hello', 'stop', 1024))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello' }], finish_reason: 'stop' },
    ]);
    expect(bytes(outputMessages('a'.repeat(1000), 'length', 100))).toBeLessThanOrEqual(100);
  });
});
