/**
 * Texts shaped to make a BPE tokenizer work hardest, each at most `bytes` bytes of UTF-8 (the
 * body limit bounds a prompt in bytes): one long pre-token, runs of one character, digits,
 * random base64, emoji, scripts without spaces. Deterministic, so runs compare.
 */
export function adversarialTexts(bytes: number): Record<string, string> {
  const random = seeded(42);
  const pick = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const base64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const texts: Record<string, string> = {
    'one long word': 'q'.repeat(bytes),
    'run of one letter': 'x'.repeat(bytes),
    'run of spaces': ' '.repeat(bytes),
    'run of newlines': '\n'.repeat(bytes),
    'run of punctuation': '!'.repeat(bytes),
    'run of digits': '7'.repeat(bytes),
    'random digits': pick('0123456789', bytes),
    'random base64': pick(base64, bytes),
    'random letters': pick('abcdefghijklmnopqrstuvwxyz', bytes),
    emoji: '😀🎉👍🏽🚀❤️‍🔥'.repeat(bytes),
    'CJK without spaces': '世界你好中文字符'.repeat(bytes),
    'mixed scripts': 'Hello мир 世界 مرحبا שלום नमस्ते こんにちは 12345 '.repeat(bytes),
    'accented letters': 'é'.repeat(bytes),
    'ordinary English': 'The quick brown fox jumps over the lazy dog. '.repeat(bytes),
  };
  return Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, cut(text, bytes)]));
}

/** The longest prefix of `text` that fits in `bytes` bytes of UTF-8, whole characters only. */
function cut(text: string, bytes: number): string {
  const encoded = Buffer.from(text.slice(0, bytes), 'utf8');
  if (encoded.length <= bytes) return text.slice(0, bytes);
  return encoded
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}
