import { slotCount } from './slot-count.js';

/**
 * The merges of a BPE vocabulary as an open-addressing hash table in one typed array:
 * (rank of the left part, rank of the right part) → rank of the token they form. Merging is
 * dominated by these lookups; this one costs a multiply and usually one cache line (the three
 * fields of a slot sit side by side), where a byte-string lookup costs a slice, a string hash
 * and a Map probe.
 */
export class PairTable {
  /** Slots of [left, right, merged]; left is -1 in an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly shift: number;

  constructor(capacity: number) {
    const { slots, mask, shift } = slotCount(capacity);
    this.slots = new Int32Array(3 * slots).fill(-1);
    this.mask = mask;
    this.shift = shift;
  }

  /** Records that part `a` followed by part `b` form the token ranked `rank`. */
  set(a: number, b: number, rank: number): void {
    let slot = this.slotOf(a, b);
    for (;;) {
      const at = slot * 3;
      if (this.slots[at] === -1 || (this.slots[at] === a && this.slots[at + 1] === b)) {
        this.slots[at] = a;
        this.slots[at + 1] = b;
        this.slots[at + 2] = rank;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Rank of the token that `a` followed by `b` form, or -1 when they form none. */
  get(a: number, b: number): number {
    const slots = this.slots;
    let slot = this.slotOf(a, b);
    for (;;) {
      const at = slot * 3;
      const left = slots[at];
      if (left === -1) return -1;
      if (left === a && slots[at + 1] === b) return slots[at + 2];
      slot = (slot + 1) & this.mask;
    }
  }

  // Fibonacci hashing: the high bits of the product mix every input bit.
  private slotOf(a: number, b: number): number {
    return Math.imul(a ^ Math.imul(b, 0x85ebca77), 0x9e3779b1) >>> this.shift;
  }
}
