import { stateClass } from '../../engine/snapshot.js';
import { medianOf } from './select.js';

/**
 * A fixed-size ring of recent values whose robust statistics are computed when read, from the
 * values alone: the same doubles as `RobustRing` (window/reference/robust.ts) gives, which keeps a sorted copy
 * current on every push instead. For a ring read rarely or only at a window close (volume_spike's
 * baselines, price_anomaly's window returns), that copy is half the ring's memory per symbol and
 * one insertion per push for nothing; here the median is a selection (window/select.ts) and the
 * spreads sort a shared scratch copy.
 *
 * Memory: one plain array, grown by an eighth as the ring fills (a first push to an empty array
 * reserves 17 slots; a thin symbol of a wide universe holds ~15 values) and of exactly the
 * capacity once full. Values must not be NaN.
 */
export class ValueRing {
  /** Values in arrival order until full; then a ring whose oldest value is at `next`. */
  private values: number[] = NONE;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.filled;
  }

  push(v: number): void {
    const n = this.filled;
    if (n < this.capacity) {
      if (n === this.values.length) this.values = grown(this.values, n, this.capacity);
      this.values[n] = v;
      this.filled = n + 1;
      return;
    }
    this.values[this.next] = v;
    this.next = this.next + 1 === n ? 0 : this.next + 1;
  }

  /** Drops the room reserved beyond the values held (for a symbol waiting for its next trade). */
  trim(): void {
    if (this.filled < this.values.length) this.values = this.values.slice(0, this.filled);
  }

  /** Median of the values held (NaN when empty): the value a sort gives. */
  median(): number {
    const m = medianOf(this.values, this.filled);
    // Selection does not order −0 and +0; a sort does (RobustRing's median of {−0, +0, +0} is +0).
    return m === 0 ? medianOfSorted(this.sorted(identity), this.filled) : m;
  }

  /** Median absolute deviation around the median × 1.4826 (a normal sigma), as `RobustRing.madSigma`. */
  madSigma(): number {
    return madSigmaOfSorted(this.sorted(identity), this.filled);
  }

  /** Median of the values' natural logarithms (values > 0). */
  logMedian(): number {
    return medianOfSorted(this.sorted(Math.log), this.filled);
  }

  /** `madSigma` of the values' natural logarithms (values > 0). */
  logMadSigma(): number {
    return madSigmaOfSorted(this.sorted(Math.log), this.filled);
  }

  /** The q-quantile of the absolute values held (NaN when empty), as `RobustRing.quantileAbs`. */
  quantileAbs(q: number): number {
    return quantileOfSorted(this.sorted(Math.abs), this.filled, q);
  }

  /** Mean of the absolute values without the largest `trim` fraction, as `RobustRing.trimmedMeanAbs`. */
  trimmedMeanAbs(trim: number): number {
    return trimmedMeanOfSorted(this.sorted(Math.abs), this.filled, trim);
  }

  /** f of every value, ascending, in the shared scratch (see sortedOf). */
  private sorted(f: (x: number) => number): Float64Array {
    return sortedOf(this.values, 0, this.filled, f);
  }
}

/** Every ring's array before its first push, shared (a push replaces it before writing). */
const NONE: number[] = [];
let scratch = new Float64Array(128);

export function identity(x: number): number {
  return x;
}

/**
 * f of src[from, from + n), ascending, in a scratch shared by every ring (valid until the next
 * call). f is monotone (identity, log) or |x|, so sorting f's results is the order the typed-array
 * sort gives them: numeric, −0 before +0 — the order RobustRing keeps.
 */
export function sortedOf(src: ArrayLike<number>, from: number, n: number, f: (x: number) => number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  for (let i = 0; i < n; i++) scratch[i] = f(src[from + i]!);
  return scratch.subarray(0, n).sort();
}

/** The q-quantile of an ascending a[0, n) (NaN when empty), interpolated as `RobustRing.quantileAbs`. */
export function quantileOfSorted(a: Float64Array, n: number, q: number): number {
  if (n === 0) return NaN;
  const pos = Math.min(1, Math.max(0, q)) * (n - 1);
  const i = Math.floor(pos);
  return i + 1 < n ? a[i]! + (pos - i) * (a[i + 1]! - a[i]!) : a[i]!;
}

/** Mean of an ascending a[0, n) without its largest `trim` fraction (NaN when empty), as `RobustRing.trimmedMeanAbs`. */
export function trimmedMeanOfSorted(a: Float64Array, n: number, trim: number): number {
  if (n === 0) return NaN;
  const keep = Math.max(1, Math.ceil(n * (1 - trim)));
  let s = 0;
  for (let i = 0; i < keep; i++) s += a[i]!;
  return s / keep;
}

/**
 * The slots a ring holding n values (full) grows to, at most `cap`: one more plus an eighth. A
 * thin symbol's rings (~20 values) stay within a slot or two of what they hold, where growing by
 * half left a fifth of them empty on average once the trims stop; the copies
 * (about nine per value) end when the ring is full, so a busy symbol pays them once.
 */
export function grownSize(n: number, cap: number): number {
  return Math.min(cap, n + 1 + (n >> 3));
}

/** A copy of a[0, n) with room for a few more (`grownSize`, at most `cap`): growth in small steps. */
export function grown(a: number[], n: number, cap: number): number[] {
  const size = grownSize(n, cap);
  // Built by pushes, then copied: a packed array of exactly `size` (new Array(size) is holey).
  const out: number[] = [];
  for (let i = 0; i < size; i++) out.push(i < n ? a[i]! : 0);
  return out.slice();
}

export function medianOfSorted(a: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const hi = n >> 1;
  return n % 2 === 1 ? a[hi]! : (a[hi - 1]! + a[hi]!) / 2;
}

/** RobustRing.madSigma over an ascending a[0, n): the deviations merged outwards from the median. */
export function madSigmaOfSorted(a: Float64Array, n: number): number {
  const m = medianOfSorted(a, n);
  if (Number.isNaN(m)) return NaN;
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
  return 1.4826 * (n % 2 === 1 ? d : (lower + d) / 2);
}

/** The order of the typed-array sort: numeric, with −0 before +0. */
function before(x: number, y: number): boolean {
  return x < y || (x === y && x === 0 && 1 / x < 1 / y);
}

function lowerBound(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(a[mid]!, v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(ValueRing);
