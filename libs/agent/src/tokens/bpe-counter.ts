import { PairTable } from './pair-table.js';
import { ShortTokenSet } from './short-token-set.js';

/**
 * A BPE vocabulary: each token's bytes as a latin1 string (one char per byte), mapped to its
 * rank, as a tiktoken ranks file gives them (see tiktoken-ranks.ts).
 */
export type BpeRanks = ReadonlyMap<string, number>;

const NONE = 0x7fffffff; // "no merge": above every rank
// Tree keys pack (rank, byte offset) into one exact double: ranks < 2^21, offsets < 2^32.
const OFFSET_SPAN = 2 ** 32;
const NON_ASCII = /[^\p{ASCII}]/u;
// Up to this many bytes the reference scan beats the tree (measured); beyond it the tree wins.
const SMALL_PIECE = 48;
// Largest piece whose merge arrays are kept for the next merge: ~3.5 MiB of typed arrays.
const KEPT_SCRATCH_CAPACITY = 128 * 1024;
// Units of work (bytes scanned, merges) between pauses of counting(): ~0.1–0.3 ms, measured.
const STEPS_PER_PAUSE = 1024;

/**
 * Counts byte-pair-encoding tokens exactly as tiktoken does: same pre-tokenizer, same merge
 * order (lowest rank first, leftmost on ties). Long pre-tokens are merged through a tournament
 * tree, O(n log n) instead of the O(n²) of the reference loop, so one long unbroken word cannot
 * stall the event loop. It keeps no state between calls: nothing ever holds a caller's text.
 */
export class BpeCounter {
  /** Whole tokens of up to ShortTokenSet.MAX_BYTES bytes: nearly every pre-token of real text. */
  private readonly shortTokens: ShortTokenSet;
  /** The longer whole tokens, by their bytes as a latin1 string (one char per byte). */
  private readonly longTokens = new Set<string>();
  private readonly byteRanks = new Int32Array(256).fill(NONE);
  private readonly pairs: PairTable;
  /** The split pattern of count(), sticky; it runs to its end in one go (counting() copies its own). */
  private readonly countPattern: RegExp;
  /** Merges of two single bytes, dense (256 KiB): every pre-token starts with these lookups. */
  private readonly bytePairs = new Int32Array(256 * 256).fill(NONE);
  // Scratch space of the short-piece merge: ranks only, never text.
  private readonly partRanks = new Int32Array(SMALL_PIECE);
  private readonly pairRanks = new Int32Array(SMALL_PIECE);
  /** Scratch space of the large-piece merge, free between merges (ranks and offsets only). */
  private scratch: MergeScratch | undefined;

  /**
   * `tokens` is only read while the tables are built: the counter keeps the compact forms below.
   * `asciiSplit`, when given, must find the same pieces as `splitPattern` wherever it answers
   * (see cl100k-ascii-split.ts): the pattern is then only run where it returns -1.
   */
  constructor(
    tokens: BpeRanks,
    private readonly splitPattern: RegExp,
    private readonly asciiSplit: AsciiSplit = () => -1,
  ) {
    if (!splitPattern.global) throw new Error('the pre-tokenizer pattern must be global');
    this.countPattern = new RegExp(splitPattern.source, `${splitPattern.flags}y`);
    for (const [bytes, rank] of tokens) {
      if (bytes.length === 1) this.byteRanks[bytes.charCodeAt(0)] = rank;
    }
    if (this.byteRanks.includes(NONE)) throw new Error('the vocabulary must hold every byte');
    this.shortTokens = new ShortTokenSet(tokens.size);
    for (const bytes of tokens.keys()) {
      if (bytes.length > ShortTokenSet.MAX_BYTES) this.longTokens.add(bytes);
      else this.shortTokens.add(bytes);
    }
    // Every way of writing each token as two tokens: these are all the merges BPE can make.
    const splits: number[] = [];
    for (const [bytes, rank] of tokens) {
      for (let cut = 1; cut < bytes.length; cut++) {
        const left = tokens.get(bytes.slice(0, cut));
        const right = left === undefined ? undefined : tokens.get(bytes.slice(cut));
        if (right !== undefined) splits.push(left!, right, rank);
      }
    }
    this.pairs = new PairTable(splits.length / 3);
    for (let i = 0; i < splits.length; i += 3)
      this.pairs.set(splits[i], splits[i + 1], splits[i + 2]);
    for (let first = 0; first < 256; first++) {
      for (let second = 0; second < 256; second++) {
        const merged = this.pairs.get(this.byteRanks[first], this.byteRanks[second]);
        if (merged !== -1) this.bytePairs[(first << 8) | second] = merged;
      }
    }
  }

  /**
   * Number of tokens in `text`; special-token markers count as the plain text they are. In one
   * go, without the generator's pauses: the caller keeps this for short texts.
   */
  count(text: string): number {
    // One sticky pattern object for every call (the count runs to its end before another
    // starts): test() moves lastIndex past the piece without building a match array.
    const pattern = this.countPattern;
    let count = 0;
    let start = 0;
    while (start < text.length) {
      let end = this.asciiSplit(text, start);
      const ascii = end !== -1;
      if (!ascii && (end = patternEnd(pattern, text, start)) === -1) {
        return count + finish(this.scanningFrom(text, start));
      }
      const piece = this.countPiece(text, start, end, ascii);
      count += typeof piece === 'number' ? piece : finish(this.mergeLarge(piece));
      start = end;
    }
    return count;
  }

  /**
   * The same count as a generator that pauses after about every STEPS_PER_PAUSE units of work
   * (chars scanned, merges made), so a caller can spread one long text over several turns of
   * the event loop: even a single 100 kB pre-token is merged in bounded slices.
   */
  *counting(text: string): Generator<void, number> {
    // A sticky copy of the pattern for this count alone (count() keeps one for itself).
    const pattern = new RegExp(this.splitPattern.source, `${this.splitPattern.flags}y`);
    let count = 0;
    let work = 0;
    let start = 0;
    while (start < text.length) {
      let end = this.asciiSplit(text, start);
      const ascii = end !== -1;
      if (!ascii && (end = patternEnd(pattern, text, start)) === -1) {
        return count + (yield* this.scanningFrom(text, start));
      }
      const piece = this.countPiece(text, start, end, ascii);
      count += typeof piece === 'number' ? piece : yield* this.mergeLarge(piece);
      work += end - start;
      start = end;
      if (work >= STEPS_PER_PAUSE) {
        work = 0;
        yield;
      }
    }
    return count;
  }

  /**
   * Tokens in the piece [start, end) of `text` when a lookup or the short merge decides them;
   * otherwise the piece's bytes, for the large merge. An ASCII piece (its chars are its bytes)
   * that is one token is looked up in place, never copied out of the text.
   */
  private countPiece(text: string, start: number, end: number, ascii: boolean): number | string {
    const length = end - start;
    if (ascii) {
      if (length === 1) return 1;
      if (length <= ShortTokenSet.MAX_BYTES && this.shortTokens.hasRange(text, start, end)) {
        return 1;
      }
    }
    const piece = text.slice(start, end);
    const bytes = ascii ? piece : toByteString(piece);
    return bytes.length <= SMALL_PIECE ? this.countSmall(bytes) : bytes;
  }

  /**
   * The pieces from `start` on as a search finds them, skipping what the pattern does not
   * match: the pieces of a BPE split pattern tile every text, so the sticky scans above never
   * need this; it keeps the count exact for a pattern that would leave gaps.
   */
  private *scanningFrom(text: string, start: number): Generator<void, number> {
    let count = 0;
    let work = 0;
    const pattern = new RegExp(this.splitPattern.source, this.splitPattern.flags);
    pattern.lastIndex = start;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      const piece = this.countPiece(match[0], 0, match[0].length, false);
      count += typeof piece === 'number' ? piece : yield* this.mergeLarge(piece);
      work += match[0].length;
      if (work >= STEPS_PER_PAUSE) {
        work = 0;
        yield;
      }
    }
    return count;
  }

  /** Tokens in a pre-token of at most SMALL_PIECE bytes: one when it is a token itself. */
  private countSmall(bytes: string): number {
    return bytes.length === 1 || this.isToken(bytes) ? 1 : this.mergeSmall(bytes);
  }

  private isToken(bytes: string): boolean {
    return bytes.length <= ShortTokenSet.MAX_BYTES
      ? this.shortTokens.has(bytes)
      : this.longTokens.has(bytes);
  }

  /** The reference loop: scan for the lowest-ranked pair, merge it, repeat. */
  private mergeSmall(bytes: string): number {
    const parts = this.partRanks;
    const pairs = this.pairRanks;
    let size = bytes.length;
    for (let i = 0; i < size; i++) parts[i] = this.byteRanks[bytes.charCodeAt(i)];
    for (let i = 0; i + 1 < size; i++) pairs[i] = this.bytePairRank(bytes, i);
    pairs[size - 1] = NONE;
    for (;;) {
      let at = -1;
      let lowest = NONE;
      for (let i = 0; i + 1 < size; i++) {
        if (pairs[i] < lowest) {
          lowest = pairs[i];
          at = i;
        }
      }
      if (at === -1) return size;
      parts[at] = lowest;
      size--;
      // Plain loops: copyWithin is a runtime call that costs more than these few moves.
      for (let i = at + 1; i < size; i++) {
        parts[i] = parts[i + 1];
        pairs[i] = pairs[i + 1];
      }
      pairs[at] = at + 1 < size ? this.pairRank(parts[at], parts[at + 1]) : NONE;
      if (at > 0) pairs[at - 1] = this.pairRank(parts[at - 1], parts[at]);
    }
  }

  /**
   * The same merge order over a linked list of parts, with the lowest (rank, offset) found in a
   * tournament tree: O(n log n), and each merge touches three neighbouring leaves whose paths
   * to the root mostly coincide, which keeps it cache-friendly where a heap is not.
   */
  private *mergeLarge(bytes: string): Generator<void, number> {
    const size = bytes.length;
    const scratch = this.takeScratch(size);
    try {
      return yield* this.mergeWith(bytes, scratch);
    } finally {
      if (scratch.capacity <= KEPT_SCRATCH_CAPACITY) this.scratch = scratch;
    }
  }

  /**
   * Arrays for a merge of `size` bytes: the kept ones when free and large enough. Keeping them
   * spares the garbage collector ~3 MB of typed arrays per 100 kB piece (each a major
   * collection's worth of external memory under a burst of large prompts).
   */
  private takeScratch(size: number): MergeScratch {
    const kept = this.scratch;
    if (kept !== undefined && kept.capacity >= size) {
      this.scratch = undefined;
      return kept;
    }
    return new MergeScratch(Math.max(size, Math.min(kept?.capacity ?? 0, KEPT_SCRATCH_CAPACITY)));
  }

  private *mergeWith(bytes: string, scratch: MergeScratch): Generator<void, number> {
    const size = bytes.length;
    // Parts are identified by the offset of their first byte; `size` is the end sentinel.
    const { next, prev, parts } = scratch;
    const tree = new MinTree(size, scratch.keys);
    for (let i = 0; i < size; i++) {
      next[i] = i + 1;
      prev[i] = i - 1;
      parts[i] = this.byteRanks[bytes.charCodeAt(i)];
    }
    for (let i = 0; i + 1 < size; i++) tree.init(i, this.bytePairRank(bytes, i));
    tree.build();

    let count = size;
    for (let steps = 1; ; steps++) {
      if (steps % STEPS_PER_PAUSE === 0) yield;
      const at = tree.lowest();
      if (at === -1) return count;
      const absorbed = next[at];
      parts[at] = tree.rankAt(at);
      next[at] = next[absorbed];
      if (next[at] < size) prev[next[at]] = at;
      count--;
      tree.set(absorbed, NONE);
      tree.set(at, next[at] < size ? this.pairRank(parts[at], parts[next[at]]) : NONE);
      const before = prev[at];
      if (before >= 0) tree.set(before, this.pairRank(parts[before], parts[at]));
    }
  }

  private bytePairRank(bytes: string, at: number): number {
    return this.bytePairs[(bytes.charCodeAt(at) << 8) | bytes.charCodeAt(at + 1)];
  }

  private pairRank(left: number, right: number): number {
    const rank = this.pairs.get(left, right);
    return rank === -1 ? NONE : rank;
  }
}

/**
 * Where the split pattern's piece starting at `start` ends, for the pieces it can decide without
 * the pattern (ASCII text); -1 for the others.
 */
export type AsciiSplit = (text: string, start: number) => number;

/** Where the sticky pattern's piece at `start` ends; -1 when it finds none there. */
function patternEnd(pattern: RegExp, text: string, start: number): number {
  pattern.lastIndex = start;
  return pattern.test(text) && pattern.lastIndex !== start ? pattern.lastIndex : -1;
}

/** Runs a generator to its end, ignoring its pauses. */
function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** UTF-8 bytes of `text` as a latin1 string; ASCII text is its own byte string. */
function toByteString(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

/** Entries of a MinTree over `size` pairs: twice the next power of two. */
function treeSize(size: number): number {
  let leaves = 1;
  while (leaves < size) leaves *= 2;
  return 2 * leaves;
}

/** The typed arrays of one large merge, for pieces of up to `capacity` bytes. */
class MergeScratch {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly parts: Int32Array;
  readonly keys: Float64Array;

  constructor(readonly capacity: number) {
    this.next = new Int32Array(capacity + 1);
    this.prev = new Int32Array(capacity + 1);
    this.parts = new Int32Array(capacity);
    this.keys = new Float64Array(treeSize(capacity));
  }
}

/**
 * Minimum of (rank, offset) over the pairs of one piece: a complete binary tree in one array,
 * leaves at [leaves, 2·leaves), each inner node the smaller key of its children.
 */
class MinTree {
  private readonly keys: Float64Array;
  private readonly leaves: number;

  /** Over the first 2·leaves entries of `storage` (at least treeSize(size) long). */
  constructor(size: number, storage: Float64Array) {
    this.leaves = treeSize(size) / 2;
    this.keys = storage.subarray(0, 2 * this.leaves).fill(Number.POSITIVE_INFINITY);
  }

  /** Sets a leaf without updating its ancestors; call build() once all are set. */
  init(offset: number, rank: number): void {
    if (rank !== NONE) this.keys[this.leaves + offset] = rank * OFFSET_SPAN + offset;
  }

  build(): void {
    const keys = this.keys;
    for (let i = this.leaves - 1; i > 0; i--) keys[i] = Math.min(keys[2 * i], keys[2 * i + 1]);
  }

  set(offset: number, rank: number): void {
    const keys = this.keys;
    let i = this.leaves + offset;
    keys[i] = rank === NONE ? Number.POSITIVE_INFINITY : rank * OFFSET_SPAN + offset;
    for (i >>= 1; i > 0; i >>= 1) {
      const lowest = Math.min(keys[2 * i], keys[2 * i + 1]);
      if (keys[i] === lowest) break; // nothing above changes
      keys[i] = lowest;
    }
  }

  rankAt(offset: number): number {
    return Math.floor(this.keys[this.leaves + offset] / OFFSET_SPAN);
  }

  /** Offset of the pair to merge next, or -1 when no pair merges. */
  lowest(): number {
    const top = this.keys[1];
    return top === Number.POSITIVE_INFINITY ? -1 : top % OFFSET_SPAN;
  }
}
