import { stateClass } from '../../engine/snapshot.js';

/**
 * A fixed-size ring of recent values with robust statistics (median, MAD): baselines that a few
 * outliers cannot drag, so thin and liquid symbols are each judged on their own terms.
 */
export class RobustRing {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  private readonly scratch: Float64Array;
  /** Deviations for `madSigma`, reused: no allocation per recomputation. */
  private readonly dev: Float64Array;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
    this.dev = new Float64Array(capacity);
  }

  push(v: number): void {
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  get size(): number {
    return this.filled;
  }

  /** Mean of the values held. */
  mean(): number {
    if (this.filled === 0) return NaN;
    let s = 0;
    for (let i = 0; i < this.filled; i++) s += this.values[i]!;
    return s / this.filled;
  }

  /** Mean of the absolute values held. */
  meanAbs(): number {
    if (this.filled === 0) return NaN;
    let s = 0;
    for (let i = 0; i < this.filled; i++) s += Math.abs(this.values[i]!);
    return s / this.filled;
  }

  /**
   * Mean of the absolute values held, leaving out the largest `trim` fraction of them: a spread that
   * still sees a mostly-flat series move (where the MAD is 0), but that a few jumps cannot inflate.
   */
  trimmedMeanAbs(trim: number): number {
    const n = this.filled;
    if (n === 0) return NaN;
    const a = this.scratch.subarray(0, n);
    for (let i = 0; i < n; i++) a[i] = Math.abs(this.values[i]!);
    a.sort();
    const keep = Math.max(1, Math.ceil(n * (1 - trim)));
    let s = 0;
    for (let i = 0; i < keep; i++) s += a[i]!;
    return s / keep;
  }

  /** Median of the values held (NaN when empty). */
  median(): number {
    return medianOf(this.values, this.filled, this.scratch);
  }

  /** The q-quantile of the absolute values held (NaN when empty). */
  quantileAbs(q: number): number {
    const n = this.filled;
    if (n === 0) return NaN;
    const a = this.scratch.subarray(0, n);
    for (let i = 0; i < n; i++) a[i] = Math.abs(this.values[i]!);
    a.sort();
    const pos = Math.min(1, Math.max(0, q)) * (n - 1);
    const i = Math.floor(pos);
    return i + 1 < n ? a[i]! + (pos - i) * (a[i + 1]! - a[i]!) : a[i]!;
  }

  /** Median absolute deviation around the median, scaled by 1.4826 to estimate a normal sigma. */
  madSigma(): number {
    const m = this.median();
    if (Number.isNaN(m)) return NaN;
    const dev = this.dev;
    for (let i = 0; i < this.filled; i++) dev[i] = Math.abs(this.values[i]! - m);
    return 1.4826 * medianOf(dev, this.filled, this.scratch);
  }
}

/**
 * Median by selection (expected O(n)) instead of a full sort: the same value, since the median is
 * an order statistic; a full sort per bucket roll was a third of volume_spike + price_anomaly time.
 */
function medianOf(src: Float64Array, n: number, scratch: Float64Array): number {
  if (n === 0) return NaN;
  const a = scratch.subarray(0, n);
  a.set(src.subarray(0, n));
  const hi = n >> 1;
  select(a, hi);
  if (n % 2 === 1) return a[hi]!;
  // Even n: the lower middle is the largest value left of the upper middle after selection.
  let lower = a[0]!;
  for (let i = 1; i < hi; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + a[hi]!) / 2;
}

/** Rearranges `a` so a[k] holds the k-th smallest value, smaller-or-equal ones before it (Hoare/Floyd–Rivest-style quickselect). */
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

/** Held in detector state, so checkpoints must know the class. */
stateClass(RobustRing);
