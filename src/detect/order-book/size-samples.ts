import { stateClass } from '../../engine/snapshot.js';
import { medianOf } from '../window/select.js';

/**
 * The last `capacity` order sizes of one symbol and their median. A light RobustRing: the values
 * are a plain array that grows to `capacity` (most of 100k symbols see few orders; a full 256-slot
 * ring with two scratch typed arrays per symbol was ~6 KB each, and a typed array's fixed overhead
 * dwarfs a few values).
 *
 * The median is asked for often on a busy symbol (each reader refreshes it every few `new` orders:
 * a selection over 256 values each time was ~2% of a live feed's CPU), so once it has been asked
 * for, the samples are also kept sorted, updated on every push by moving the replaced value to the
 * new value's place (a shift over the values between the two, not a re-sort). The median is then
 * read off the middle: the same double the selection gives — odd n: the (n/2)-th smallest; even n:
 * (the (n/2 − 1)-th smallest + the (n/2)-th smallest) / 2, the two order statistics the selection
 * adds in the same order. (Only the sign of a zero could differ, as selection leaves equal values in
 * any order; a zero median means "no median" to every reader.) Symbols nobody asks about pay
 * nothing. While a NaN is held (the ingest paths reject them; the order would be undefined) the
 * median falls back to the selection over the ring, as before.
 */
export class SizeSamples {
  private readonly values: number[] = [];
  private next = 0;
  /** The values in ascending order (first `values.length` slots), or null until asked for / while a NaN is held. */
  private sorted: Float64Array | null = null;
  /** NaNs among the values held. */
  private nans = 0;

  constructor(readonly capacity: number) {}

  push(v: number): void {
    const n = this.values.length;
    let old = NaN;
    const replacing = n === this.capacity;
    if (!replacing) this.values.push(v);
    else {
      old = this.values[this.next]!;
      this.values[this.next] = v;
      if (old !== old) this.nans--;
    }
    this.next = (this.next + 1) % this.capacity;
    if (v !== v) {
      this.nans++;
      this.sorted = null;
      return;
    }
    const s = this.sorted;
    if (s === null) return;
    // Binary searches, then one native move of the values between the replaced value and v's place.
    // The second search starts at the first one's answer (v's place is on old's side of it).
    if (!replacing) {
      const p = lowerBound(s, 0, n, v);
      s.copyWithin(p + 1, p, n);
      s[p] = v;
    } else if (v > old) {
      const r = lowerBound(s, 0, n, old); // one of the values equal to old
      const p = lowerBound(s, r, n, v); // values in (old, v) sit in (r, p): they move down one
      s.copyWithin(r, r + 1, p);
      s[p - 1] = v;
    } else if (v < old) {
      const p = lowerBound(s, 0, n, v); // values in [v, old) sit in [p, r): they move up one
      const r = lowerBound(s, p, n, old);
      s.copyWithin(p + 1, p, r);
      s[p] = v;
    }
  }

  get size(): number {
    return this.values.length;
  }

  /** Median of the values held (NaN when empty). */
  median(): number {
    const n = this.values.length;
    if (this.nans > 0) return medianOf(this.values, n);
    if (n === 0) return NaN;
    let s = this.sorted;
    if (s === null) {
      s = new Float64Array(this.capacity);
      for (let i = 0; i < n; i++) s[i] = this.values[i]!;
      s.subarray(0, n).sort(); // numeric order (typed arrays sort numerically)
      this.sorted = s;
    }
    const hi = n >> 1;
    return n % 2 === 1 ? s[hi]! : (s[hi - 1]! + s[hi]!) / 2;
  }
}
stateClass(SizeSamples, 'order-book.SizeSamples');

/** First index in s[from, n) whose value is ≥ v (s ascending, every value before `from` below v); n if none. */
function lowerBound(s: Float64Array, from: number, n: number, v: number): number {
  let lo = from;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
