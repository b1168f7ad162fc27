import { stateClass } from '../../engine/snapshot.js';

/** Smallest table (a power of two). */
const MIN_SIZE = 16;

/**
 * A map from non-negative integers to non-negative integers in two Int32Arrays (open addressing,
 * linear probing, deletion by shifting back the entries that follow), for per-symbol tables keyed
 * by account id (`AccountIds`) that gain and lose an entry on nearly every leg. A JS Map keyed
 * by account strings paid there for string comparisons along its chains (each a visit to another
 * string in memory) and for reallocating its table as deletions piled up; this allocates only
 * when it grows or shrinks, and a checkpoint holds it as raw bytes.
 */
export class IntTable {
  /** Key + 1 per bucket (0: empty). */
  private keys = new Int32Array(MIN_SIZE);
  private values = new Int32Array(MIN_SIZE);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = bucketOf(key, mask); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key + 1) return this.values[i]!;
      if (k === 0) return -1;
    }
  }

  /** Sets `key` (not present) to `value`. */
  add(key: number, value: number): void {
    if (2 * (this.count + 1) > this.keys.length) this.resize(this.keys.length * 2);
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = bucketOf(key, mask);
    while (keys[i] !== 0) i = (i + 1) & mask;
    keys[i] = key + 1;
    this.values[i] = value;
    this.count++;
  }

  /** Removes `key` (present). */
  delete(key: number): void {
    const keys = this.keys;
    const values = this.values;
    const mask = keys.length - 1;
    let hole = bucketOf(key, mask);
    while (keys[hole] !== key + 1) hole = (hole + 1) & mask;
    // Shift back each following entry of the run that may not sit after the hole, so no probe meets a gap.
    for (let j = (hole + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const home = bucketOf(keys[j]! - 1, mask);
      // Movable when its home is not in (hole, j] (cyclically).
      if (hole < j ? home <= hole || home > j : home <= hole && home > j) {
        keys[hole] = keys[j]!;
        values[hole] = values[j]!;
        hole = j;
      }
    }
    keys[hole] = 0;
    this.count--;
    if (this.keys.length > MIN_SIZE && 8 * this.count < this.keys.length) this.resize(this.keys.length / 2);
  }

  private resize(size: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Int32Array(size);
    this.values = new Int32Array(size);
    const mask = size - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k === 0) continue;
      let i = bucketOf(k - 1, mask);
      while (this.keys[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = k;
      this.values[i] = oldValues[j]!;
    }
  }
}

/** Home bucket of a key: multiplicative hashing with the high bits folded in, so consecutive ids spread. */
function bucketOf(key: number, mask: number): number {
  const h = Math.imul(key + 1, 0x9e3779b1);
  return (h ^ (h >>> 16)) & mask;
}

// Part of the checkpointed state of detectors that use it.
stateClass(IntTable);
