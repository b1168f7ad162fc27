import { stateClass } from '../../../engine/snapshot.js';

/**
 * `values` and `sorted` of every ring before its first push, shared (never written: see push):
 * an empty array is 32 B, and most symbols of a wide universe hold rings that never get a value
 * (volume_spike: four per symbol, ≈ 0.25 KB). A checkpoint may restore them as one shared empty
 * array, which push replaces just the same.
 */
const NONE: number[] = [];

/**
 * A fixed-size ring of recent values with robust statistics (median, MAD): baselines that a few
 * outliers cannot drag, so thin and liquid symbols are each judged on their own terms.
 *
 * Beside the ring (arrival order, for eviction and the means) the values are kept sorted, updated
 * by one binary search and one short shift per push: the statistics are read from the sorted copy
 * instead of re-sorting or re-selecting the whole ring at every bucket roll, which was a quarter of
 * volume_spike + price_anomaly + pump_and_dump time on sparse symbols (one roll per trade). The
 * results are the same doubles as a full sort gives: the same order statistics, summed in the
 * same (ascending) order. Values must not be NaN (it has no place in a sorted order).
 *
 * Memory: plain arrays that grow as the ring fills (trimmed to the capacity once full), not typed
 * arrays of the full capacity: a young symbol holds the values it has seen, and a small array
 * costs no ArrayBuffer objects and no off-heap backing store (volume_spike and price_anomaly hold
 * three or four rings per symbol).
 */
export class RobustRing {
  /** The values in arrival order (a ring once full; before that, values[next] is the next to push). */
  private values: number[] = NONE;
  private next = 0;
  private filled = 0;
  /** values[0, filled) in ascending order. */
  private sorted: number[] = NONE;
  /** |values| in ascending order; built on the first absolute-value query (not every ring needs it). */
  private sortedAbs: number[] | null = null;

  constructor(readonly capacity: number) {}

  push(v: number): void {
    const n = this.filled;
    if (n === 0) {
      // Arrays of its own at the first value: until then the ring holds the shared empty ones.
      this.values = [];
      this.sorted = [];
    }
    if (n === this.capacity) {
      // Full: the oldest value leaves as v comes in, one shift of the values between them.
      const old = this.values[this.next]!;
      replaceSorted(this.sorted, n, old, v);
      if (this.sortedAbs) replaceSorted(this.sortedAbs, n, Math.abs(old), Math.abs(v));
    } else {
      insertSorted(this.sorted, n, v);
      if (this.sortedAbs) insertSorted(this.sortedAbs, n, Math.abs(v));
      this.filled++;
    }
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    if (n + 1 === this.capacity) {
      // Just filled: from now on only overwrites. Copies of exactly the capacity drop the slack
      // that growing by push leaves (up to half again).
      this.values = this.values.slice();
      this.sorted = this.sorted.slice();
      if (this.sortedAbs) this.sortedAbs = this.sortedAbs.slice();
    }
  }

  /**
   * Drops the room that pushes reserved beyond the entries held (a first push reserves 17 slots):
   * for a symbol that trades now and then, called while it waits for its next trade (window/recent-ids.ts).
   * An empty ring has none (it holds the shared empty arrays), nor has a full one (its arrays were
   * copied to exact size when it filled).
   */
  trim(): void {
    if (this.filled === 0 || this.filled === this.capacity) return;
    this.values = this.values.slice();
    this.sorted = this.sorted.slice();
    if (this.sortedAbs) this.sortedAbs = this.sortedAbs.slice();
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
    const a = this.absSorted();
    const keep = Math.max(1, Math.ceil(n * (1 - trim)));
    let s = 0;
    for (let i = 0; i < keep; i++) s += a[i]!;
    return s / keep;
  }

  /** Median of the values held (NaN when empty). */
  median(): number {
    const n = this.filled;
    if (n === 0) return NaN;
    const a = this.sorted;
    const hi = n >> 1;
    return n % 2 === 1 ? a[hi]! : (a[hi - 1]! + a[hi]!) / 2;
  }

  /** The q-quantile of the absolute values held (NaN when empty). */
  quantileAbs(q: number): number {
    const n = this.filled;
    if (n === 0) return NaN;
    const a = this.absSorted();
    const pos = Math.min(1, Math.max(0, q)) * (n - 1);
    const i = Math.floor(pos);
    return i + 1 < n ? a[i]! + (pos - i) * (a[i + 1]! - a[i]!) : a[i]!;
  }

  /**
   * Median absolute deviation around the median, scaled by 1.4826 to estimate a normal sigma.
   * The deviations of sorted values grow outwards from the median on both sides, so merging the
   * two sides walks them in ascending order: the middle one is reached in n/2 steps, no sort.
   */
  madSigma(): number {
    const n = this.filled;
    const m = this.median();
    if (Number.isNaN(m)) return NaN;
    const a = this.sorted;
    let r = lowerBound(a, n, m);
    let l = r - 1;
    const hi = n >> 1;
    let lower = 0;
    let d = 0;
    for (let k = 0; k <= hi; k++) {
      lower = d;
      const dl = l >= 0 ? Math.abs(a[l]! - m) : Infinity;
      const dr = r < n ? Math.abs(a[r]! - m) : Infinity;
      if (dl < dr) {
        d = dl;
        l--;
      } else {
        d = dr;
        r++;
      }
    }
    // d is the hi-th smallest deviation; `lower` the one before it (the lower middle for even n).
    return 1.4826 * (n % 2 === 1 ? d : (lower + d) / 2);
  }

  private absSorted(): number[] {
    if (!this.sortedAbs) {
      const abs: number[] = [];
      for (let i = 0; i < this.filled; i++) abs.push(Math.abs(this.values[i]!));
      // Absolute values hold no −0 (and the ring no NaN): plain ascending order is the typed-array sort's.
      abs.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      this.sortedAbs = abs;
    }
    return this.sortedAbs;
  }
}

/** The order of Float64Array.prototype.sort: numeric, with −0 before +0 (so removal finds the very value pushed). */
function before(x: number, y: number): boolean {
  return x < y || (x === y && x === 0 && 1 / x < 1 / y);
}

/** First index in a[0, n) whose value is not before v. */
function lowerBound(a: number[], n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(a[mid]!, v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts v into the ascending a[0, n) (a[n] may be past its end: it grows by one). */
function insertSorted(a: number[], n: number, v: number): void {
  let i = n;
  for (; i > 0 && before(v, a[i - 1]!); i--) a[i] = a[i - 1]!;
  a[i] = v;
}

/** Replaces one occurrence of `old` by v in the ascending a[0, n), keeping it ascending. */
function replaceSorted(a: number[], n: number, old: number, v: number): void {
  let i = lowerBound(a, n, old);
  if (before(v, old)) for (; i > 0 && before(v, a[i - 1]!); i--) a[i] = a[i - 1]!;
  else for (; i < n - 1 && before(a[i + 1]!, v); i++) a[i] = a[i + 1]!;
  a[i] = v;
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RobustRing);
