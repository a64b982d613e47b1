import { slotCount } from './slot-count.js';

/**
 * Which byte strings of up to {@link ShortTokenSet.MAX_BYTES} bytes are whole tokens, as an
 * open-addressing table in one typed array whose keys are the bytes themselves, packed into
 * three 32-bit words plus the length: a lookup is a multiply and usually one cache line, and
 * the answer is exact (no hash is trusted). A `Map` of the same tokens keeps every key as a heap
 * string of its own: a lookup reads the bucket, the entry and then the key string, three cache
 * misses once the rest of a request has pushed the vocabulary out of the CPU's caches. The
 * counter looks up every pre-token of every text, so these misses were most of its cost.
 */
export class ShortTokenSet {
  static readonly MAX_BYTES = 12;
  /** Slots of [word0, word1, word2, length]; length 0 marks an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly shift: number;

  constructor(capacity: number) {
    const { slots, mask, shift } = slotCount(capacity);
    this.slots = new Int32Array(4 * slots);
    this.mask = mask;
    this.shift = shift;
  }

  /** Adds `bytes` (a latin1 string, one char per byte, 1 to MAX_BYTES long). */
  add(bytes: string): void {
    if (bytes.length === 0 || bytes.length > ShortTokenSet.MAX_BYTES) {
      throw new RangeError('not a short token');
    }
    const at = this.slotFor(bytes, 0, bytes.length);
    this.slots[at] = word(bytes, 0, bytes.length);
    this.slots[at + 1] = word(bytes, 4, bytes.length);
    this.slots[at + 2] = word(bytes, 8, bytes.length);
    this.slots[at + 3] = bytes.length;
  }

  /** Whether `bytes` (a latin1 string of at most MAX_BYTES) is a whole token. */
  has(bytes: string): boolean {
    return this.slots[this.slotFor(bytes, 0, bytes.length) + 3] !== 0;
  }

  /**
   * Whether `text`'s chars [start, end), at most MAX_BYTES of them and all latin1 (ASCII text,
   * say), are a whole token: the piece is read in place, never copied out of the text.
   */
  hasRange(text: string, start: number, end: number): boolean {
    return this.slots[this.slotFor(text, start, end) + 3] !== 0;
  }

  /** Index of the slot that holds chars [start, end), or of the empty slot where they would go. */
  private slotFor(text: string, start: number, end: number): number {
    const length = end - start;
    const w0 = word(text, start, end);
    const w1 = word(text, start + 4, end);
    const w2 = word(text, start + 8, end);
    const slots = this.slots;
    for (let slot = this.slotOf(w0, w1, w2, length); ; slot = (slot + 1) & this.mask) {
      const at = slot << 2;
      const stored = slots[at + 3];
      if (stored === 0) return at;
      if (stored === length && slots[at] === w0 && slots[at + 1] === w1 && slots[at + 2] === w2) {
        return at;
      }
    }
  }

  private slotOf(w0: number, w1: number, w2: number, length: number): number {
    const mixed = w0 ^ Math.imul(w1, 0x85ebca77) ^ Math.imul(w2 ^ length, 0xc2b2ae3d);
    return Math.imul(mixed ^ (mixed >>> 15), 0x9e3779b1) >>> this.shift;
  }
}

/** Chars [from, from + 4) of a latin1 string as one little-endian word, zero from `end` on. */
function word(text: string, from: number, end: number): number {
  let value = 0;
  for (let i = Math.min(end, from + 4) - 1; i >= from; i--) {
    value = (value << 8) | text.charCodeAt(i);
  }
  return value;
}
