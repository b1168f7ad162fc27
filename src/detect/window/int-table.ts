import { stateClass } from '../../engine/snapshot.js';

/** Smallest table once something is in it (a power of two). */
const MIN_SIZE = 8;

/**
 * A map from one or two non-negative integers (`a`, `b`; `b` 0 when there is one) to a
 * non-negative integer, in arrays of small integers (open addressing, linear probing, deletion by
 * shifting back the entries that follow), for per-symbol tables keyed by account id (`AccountIds`)
 * that gain and lose an entry on nearly every leg. A JS Map keyed by account strings paid there for
 * string comparisons along its chains (each a visit to another string in memory) and for
 * reallocating its table as deletions piled up; this allocates only when it grows or shrinks.
 * Plain arrays, not typed arrays: with a table per symbol, many are small, and a typed array costs
 * a buffer of its own (slow to make and to free) while an empty array costs nearly nothing.
 */
export class IntTable {
  /** `a` + 1 per bucket (0: empty), `b`, and the value. */
  private keysA: number[] = [];
  private keysB: number[] = [];
  private values: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value of key (`a`, `b`), or -1. */
  get(a: number, b = 0): number {
    if (this.count === 0) return -1;
    const keysA = this.keysA;
    const mask = keysA.length - 1;
    for (let i = bucketOf(a, b, mask); ; i = (i + 1) & mask) {
      const k = keysA[i]!;
      if (k === a + 1 && this.keysB[i] === b) return this.values[i]!;
      if (k === 0) return -1;
    }
  }

  /** Sets key (`a`, `b`), not present, to `value`. */
  add(a: number, b: number, value: number): void {
    if (2 * (this.count + 1) > this.keysA.length) this.resize(Math.max(MIN_SIZE, this.keysA.length * 2));
    this.place(a + 1, b, value);
    this.count++;
  }

  /** Removes key (`a`, `b`), present. */
  delete(a: number, b = 0): void {
    const { keysA, keysB, values } = this;
    const mask = keysA.length - 1;
    let hole = bucketOf(a, b, mask);
    while (keysA[hole] !== a + 1 || keysB[hole] !== b) hole = (hole + 1) & mask;
    // Shift back each following entry of the run whose home is not in (hole, j], so no probe meets a gap.
    for (let j = (hole + 1) & mask; keysA[j] !== 0; j = (j + 1) & mask) {
      const home = bucketOf(keysA[j]! - 1, keysB[j]!, mask);
      if (hole < j ? home <= hole || home > j : home <= hole && home > j) {
        keysA[hole] = keysA[j]!;
        keysB[hole] = keysB[j]!;
        values[hole] = values[j]!;
        hole = j;
      }
    }
    keysA[hole] = 0;
    this.count--;
    if (keysA.length > MIN_SIZE && 8 * this.count < keysA.length) this.resize(keysA.length / 2);
  }

  /** Puts an entry (`a` stored + 1) in the first free bucket of its run. */
  private place(a1: number, b: number, value: number): void {
    const mask = this.keysA.length - 1;
    let i = bucketOf(a1 - 1, b, mask);
    while (this.keysA[i] !== 0) i = (i + 1) & mask;
    this.keysA[i] = a1;
    this.keysB[i] = b;
    this.values[i] = value;
  }

  private resize(size: number): void {
    const { keysA, keysB, values } = this;
    this.keysA = new Array<number>(size).fill(0);
    this.keysB = new Array<number>(size).fill(0);
    this.values = new Array<number>(size).fill(0);
    for (let j = 0; j < keysA.length; j++) if (keysA[j] !== 0) this.place(keysA[j]!, keysB[j]!, values[j]!);
  }
}

/** Home bucket of a key: multiplicative hashing with the high bits folded in, so consecutive ids spread. */
function bucketOf(a: number, b: number, mask: number): number {
  const h = Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b);
  return (h ^ (h >>> 16)) & mask;
}

// Part of the checkpointed state of detectors that use it.
stateClass(IntTable);
