/**
 * Splits text into word-sized chunks that concatenate back to it exactly: each chunk is a run
 * of whitespace followed by a run of non-whitespace (so "a  b" → ["a", "  b"]).
 */
export function wordChunks(text: string): string[] {
  // Every non-empty text matches (whitespace at the end is a chunk of its own): only the empty
  // text has no chunks.
  return text.match(/\s*\S+|\s+/g) ?? [];
}
