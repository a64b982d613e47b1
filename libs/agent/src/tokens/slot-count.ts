/**
 * The size of an open-addressing table for `capacity` keys, as a power of two: `mask` wraps a
 * slot index, `shift` turns a 32-bit hash into one. A load factor of at most 0.5 keeps probe
 * runs short.
 */
export function slotCount(capacity: number): { slots: number; mask: number; shift: number } {
  let bits = 10;
  while (1 << bits < capacity * 2) bits++;
  return { slots: 1 << bits, mask: (1 << bits) - 1, shift: 32 - bits };
}
