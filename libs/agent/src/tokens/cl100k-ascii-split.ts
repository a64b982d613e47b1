/**
 * cl100k_base's pre-tokenizer, for the pieces of ASCII text: where its split pattern
 * (gpt-tokenizer's CL100K_TOKEN_SPLIT_REGEX) ends the piece that starts at `start`, decided from
 * a table of character classes instead of the pattern's Unicode property classes. Returns -1
 * whenever a character the decision reads is not ASCII: the caller asks the pattern itself. The
 * pattern costs ~30 ns a piece and was most of the cost of counting a long prompt; this is a
 * few table reads. Its spec compares every piece with the pattern's on random texts.
 *
 * The pattern, alternative by alternative (the first that matches wins):
 *   1. '(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])   a contraction
 *   2. [^\r\n\p{L}\p{N}]?\p{L}+                          a word, with one char before it
 *   3. \p{N}{1,3}                                        up to three digits
 *   4.  ?[^\s\p{L}\p{N}]+[\r\n]*                         punctuation, and the line ends after it
 *   5. \s+$   6. \s*[\r\n]   7. \s+(?!\S)   8. \s        whitespace
 */
export function cl100kAsciiPieceEnd(text: string, start: number): number {
  const first = classAt(text, start);
  if (first === UNKNOWN) return -1;
  // 1. A contraction.
  if (text.charCodeAt(start) === APOSTROPHE) {
    const next = text.charCodeAt(start + 1) | LOWER;
    if (next === 0x73 || next === 0x64 || next === 0x6d || next === 0x74) return start + 2; // s d m t
    const after = text.charCodeAt(start + 2) | LOWER;
    if (
      (next === 0x6c && after === 0x6c) || // ll
      (next === 0x76 && after === 0x65) || // ve
      (next === 0x72 && after === 0x65) // re
    ) {
      return start + 3;
    }
  }
  // 2. A word, and the one char before it that is neither a line end, a letter nor a digit.
  if (first === LETTER) return runEnd(text, start + 1, LETTER);
  if (first !== DIGIT && first !== LINE_END) {
    const second = classAt(text, start + 1);
    if (second === UNKNOWN) return -1;
    if (second === LETTER) return runEnd(text, start + 2, LETTER);
  }
  // 3. Up to three digits.
  if (first === DIGIT) {
    let end = start + 1;
    while (end < start + 3) {
      const next = classAt(text, end);
      if (next === UNKNOWN) return -1;
      if (next !== DIGIT) break;
      end++;
    }
    return end;
  }
  // 4. Punctuation, after one optional space, and the line ends that follow it.
  let punctuation = first === PUNCTUATION ? start : -1;
  if (text.charCodeAt(start) === SPACE) {
    const second = classAt(text, start + 1);
    if (second === UNKNOWN) return -1;
    if (second === PUNCTUATION) punctuation = start + 1;
  }
  if (punctuation !== -1) {
    const end = runEnd(text, punctuation + 1, PUNCTUATION);
    if (end === -1) return -1;
    let after = end;
    while (classAt(text, after) === LINE_END) after++;
    return after;
  }
  // Whitespace (every other ASCII char is a letter, a digit or punctuation).
  const end = runEnd(text, start + 1, SPACE_CLASS, LINE_END);
  if (end === -1) return -1;
  // 5. To the end of the text.
  if (end === text.length) return end;
  // 6. Up to the last line end of the run.
  for (let at = end - 1; at >= start; at--) {
    if (classAt(text, at) === LINE_END) return at + 1;
  }
  // 7. All but the last char of a longer run (that one goes with what follows). 8. One char.
  return end - start >= 2 ? end - 1 : start + 1;
}

const LETTER = 1;
const DIGIT = 2;
/** \s other than a line end: space, tab, vertical tab, form feed. */
const SPACE_CLASS = 3;
/** \r and \n. */
const LINE_END = 4;
/** Any other ASCII char, control chars included: [^\s\p{L}\p{N}]. */
const PUNCTUATION = 5;
/** Not ASCII: only the pattern knows. */
const UNKNOWN = 6;
const END = 0;

const APOSTROPHE = 0x27;
const SPACE = 0x20;
/** ORed into an ASCII letter, its lower case (and no other char becomes a letter by it). */
const LOWER = 0x20;

const CLASSES = (() => {
  const classes = new Uint8Array(128).fill(PUNCTUATION);
  for (let code = 0x41; code <= 0x5a; code++) classes[code] = classes[code + 0x20] = LETTER;
  for (let code = 0x30; code <= 0x39; code++) classes[code] = DIGIT;
  for (const code of [0x09, 0x0b, 0x0c, 0x20]) classes[code] = SPACE_CLASS;
  classes[0x0a] = classes[0x0d] = LINE_END;
  return classes;
})();

function classAt(text: string, at: number): number {
  if (at >= text.length) return END;
  const code = text.charCodeAt(at);
  return code < 128 ? CLASSES[code] : UNKNOWN;
}

/**
 * Where the run of chars of class `kind` (or `alsoKind`) from `from` ends; -1 when it ends at a
 * char that is not ASCII (a non-ASCII letter, digit or space could go on with it).
 */
function runEnd(text: string, from: number, kind: number, alsoKind = kind): number {
  let at = from;
  for (;;) {
    const found = classAt(text, at);
    if (found === kind || found === alsoKind) at++;
    else return found === UNKNOWN ? -1 : at;
  }
}
