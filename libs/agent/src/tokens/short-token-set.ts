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
    const length = bytes.length;
    if (length === 0 || length > ShortTokenSet.MAX_BYTES) throw new RangeError('not a short token');
    const w0 = word(bytes, 0);
    const w1 = word(bytes, 4);
    const w2 = word(bytes, 8);
    let slot = this.slotOf(w0, w1, w2, length);
    for (;;) {
      const at = slot << 2;
      if (this.slots[at + 3] === 0) {
        this.slots[at] = w0;
        this.slots[at + 1] = w1;
        this.slots[at + 2] = w2;
        this.slots[at + 3] = length;
        return;
      }
      if (this.matches(at, w0, w1, w2, length)) return;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Whether `bytes` (a latin1 string of at most MAX_BYTES) is a whole token. */
  has(bytes: string): boolean {
    const length = bytes.length;
    const w0 = word(bytes, 0);
    const w1 = length > 4 ? word(bytes, 4) : 0;
    const w2 = length > 8 ? word(bytes, 8) : 0;
    const slots = this.slots;
    let slot = this.slotOf(w0, w1, w2, length);
    for (;;) {
      const at = slot << 2;
      const stored = slots[at + 3];
      if (stored === 0) return false;
      if (stored === length && slots[at] === w0 && slots[at + 1] === w1 && slots[at + 2] === w2) {
        return true;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private matches(at: number, w0: number, w1: number, w2: number, length: number): boolean {
    const slots = this.slots;
    return (
      slots[at + 3] === length && slots[at] === w0 && slots[at + 1] === w1 && slots[at + 2] === w2
    );
  }

  private slotOf(w0: number, w1: number, w2: number, length: number): number {
    const mixed = w0 ^ Math.imul(w1, 0x85ebca77) ^ Math.imul(w2 ^ length, 0xc2b2ae3d);
    return Math.imul(mixed ^ (mixed >>> 15), 0x9e3779b1) >>> this.shift;
  }
}

/** Bytes [from, from + 4) of a latin1 string as one little-endian word, zero past its end. */
function word(bytes: string, from: number): number {
  const length = bytes.length;
  let value = 0;
  for (let i = Math.min(length, from + 4) - 1; i >= from; i--) {
    value = (value << 8) | bytes.charCodeAt(i);
  }
  return value;
}
