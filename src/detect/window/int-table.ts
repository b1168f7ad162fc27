import { stateClass } from '../../engine/snapshot.js';
import { zeroArray } from './tight-array.js';

/** Smallest table once something is in it (a power of two; many symbols hold one or two accounts). */
const MIN_SIZE = 4;
/** Numbers per bucket: `a` + 1 (0: empty), `b`, value. */
const STRIDE = 3;

/**
 * A map from one or two non-negative integers (`a`, `b`; `b` 0 when there is one) to a
 * non-negative integer, in one array of small integers (open addressing, linear probing, deletion
 * by shifting back the entries that follow), for per-symbol tables keyed by account id
 * (`AccountIds`) that gain and lose an entry on nearly every leg. A JS Map keyed by account strings
 * paid there for string comparisons along its chains (each a visit to another string in memory)
 * and for reallocating its table as deletions piled up; this allocates only when it grows or
 * shrinks. One plain array, not typed arrays: with tables per symbol, many are small, and a typed
 * array costs a buffer of its own (slow to make and to free) while an empty array costs nearly nothing.
 */
export class IntTable {
  private buckets: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value of key (`a`, `b`), or -1. */
  get(a: number, b = 0): number {
    if (this.count === 0) return -1;
    const t = this.buckets;
    const mask = t.length / STRIDE - 1;
    for (let i = bucketOf(a, b, mask); ; i = (i + 1) & mask) {
      const k = t[i * STRIDE]!;
      if (k === a + 1 && t[i * STRIDE + 1] === b) return t[i * STRIDE + 2]!;
      if (k === 0) return -1;
    }
  }

  /** Sets key (`a`, `b`), not present, to `value`. */
  add(a: number, b: number, value: number): void {
    const size = this.buckets.length / STRIDE;
    if (2 * (this.count + 1) > size) this.resize(Math.max(MIN_SIZE, size * 2));
    // `| 0`: an integer computed as a double (a quotient) would turn the array into one of doubles, twice the bytes in a checkpoint.
    this.place((a + 1) | 0, b | 0, value | 0);
    this.count++;
  }

  /** Removes key (`a`, `b`), present. */
  delete(a: number, b = 0): void {
    const t = this.buckets;
    const size = t.length / STRIDE;
    const mask = size - 1;
    let hole = bucketOf(a, b, mask);
    while (t[hole * STRIDE] !== a + 1 || t[hole * STRIDE + 1] !== b) hole = (hole + 1) & mask;
    // Shift back each following entry of the run whose home is not in (hole, j], so no probe meets a gap.
    for (let j = (hole + 1) & mask; t[j * STRIDE] !== 0; j = (j + 1) & mask) {
      const home = bucketOf(t[j * STRIDE]! - 1, t[j * STRIDE + 1]!, mask);
      if (hole < j ? home <= hole || home > j : home <= hole && home > j) {
        for (let k = 0; k < STRIDE; k++) t[hole * STRIDE + k] = t[j * STRIDE + k]!;
        hole = j;
      }
    }
    t[hole * STRIDE] = 0;
    this.count--;
    if (size > MIN_SIZE && 8 * this.count < size) this.resize(size / 2);
  }

  /** Puts an entry (`a` stored + 1) in the first free bucket of its run. */
  private place(a1: number, b: number, value: number): void {
    const t = this.buckets;
    const mask = t.length / STRIDE - 1;
    let i = bucketOf(a1 - 1, b, mask);
    while (t[i * STRIDE] !== 0) i = (i + 1) & mask;
    t[i * STRIDE] = a1;
    t[i * STRIDE + 1] = b;
    t[i * STRIDE + 2] = value;
  }

  private resize(size: number): void {
    const old = this.buckets;
    const t = zeroArray(size * STRIDE); // packed (a filled `new Array(n)` stays holey), and no slack while small
    this.buckets = t;
    for (let j = 0; j < old.length; j += STRIDE) if (old[j] !== 0) this.place(old[j]!, old[j + 1]!, old[j + 2]!);
  }
}

/** Home bucket of a key: multiplicative hashing with the high bits folded in, so consecutive ids spread (also `SeenTable`'s). */
export function bucketOf(a: number, b: number, mask: number): number {
  const h = Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b);
  return (h ^ (h >>> 16)) & mask;
}

// Part of the checkpointed state of detectors that use it.
stateClass(IntTable);
