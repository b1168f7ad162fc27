import { stateClass } from '../../engine/snapshot.js';

/**
 * The last `capacity` order sizes of one symbol and their median. A light RobustRing: the values
 * are a plain array that grows to `capacity` (most of 100k symbols see few orders; a full 256-slot
 * ring with two scratch typed arrays per symbol was ~6 KB each, and a typed array's fixed overhead
 * dwarfs a few values), and the selection scratch is shared by all instances. While growing, values
 * sit exactly where a full-size ring would put them, so the median is computed over the same values
 * in the same order (identical results).
 */
export class SizeSamples {
  private readonly values: number[] = [];
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {}

  push(v: number): void {
    if (this.filled < this.capacity) this.values.push(v);
    else this.values[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  get size(): number {
    return this.filled;
  }

  /** Median of the values held (NaN when empty). */
  median(): number {
    const n = this.filled;
    if (n === 0) return NaN;
    if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
    const a = scratch.subarray(0, n);
    for (let i = 0; i < n; i++) a[i] = this.values[i]!;
    const hi = n >> 1;
    select(a, hi);
    if (n % 2 === 1) return a[hi]!;
    // Even n: the lower middle is the largest value left of the upper middle after selection.
    let lower = a[0]!;
    for (let i = 1; i < hi; i++) if (a[i]! > lower) lower = a[i]!;
    return (lower + a[hi]!) / 2;
  }
}
stateClass(SizeSamples, 'order-book.SizeSamples');

/** Shared by every instance: `median` is synchronous, so one scratch buffer serves all. */
let scratch = new Float64Array(256);

/** Rearranges `a` so a[k] holds the k-th smallest value (the same quickselect as window/robust.ts). */
function select(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
