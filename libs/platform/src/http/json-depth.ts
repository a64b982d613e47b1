const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether raw JSON text nests objects/arrays deeper than `maxDepth`, in one linear pass over
 * the bytes (brackets inside strings, escaped quotes included, do not count). Run before
 * JSON.parse: deep nesting is cheap to send and overflows the stack of recursive consumers
 * such as validation, so it is refused before any of them runs. Malformed text is left for
 * the parser to reject.
 */
export function exceedsJsonDepth(text: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (byte === QUOTE) {
      i = closingQuote(text, i);
      if (i === -1) return false;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * Where the string opened at `open` ends, or -1 when it does not. Strings are most of a prompt's
 * bytes: they are crossed by the native search from quote to quote, each quote checked for the
 * backslashes just before it (an odd run escapes it). Each run is counted once, so the pass
 * stays linear whatever the string holds.
 */
function closingQuote(text: Uint8Array, open: number): number {
  for (let quote = text.indexOf(QUOTE, open + 1); quote !== -1;) {
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf(QUOTE, quote + 1);
  }
  return -1;
}
