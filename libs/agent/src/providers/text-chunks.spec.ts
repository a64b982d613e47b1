import { describe, expect, it } from '@jest/globals';
import { wordChunks } from './text-chunks.js';

describe('wordChunks', () => {
  it('splits into words, each carrying the whitespace before it', () => {
    expect(wordChunks('a  b\nc')).toEqual(['a', '  b', '\nc']);
  });

  it('keeps leading and trailing whitespace, so the chunks join back to the text', () => {
    const text = '  Processed:  hello world \n';
    const chunks = wordChunks(text);
    expect(chunks).toEqual(['  Processed:', '  hello', ' world', ' \n']);
    expect(chunks.join('')).toBe(text);
  });

  it('returns whitespace alone as one chunk, and nothing for an empty text', () => {
    expect(wordChunks('   ')).toEqual(['   ']);
    expect(wordChunks('')).toEqual([]);
  });
});
