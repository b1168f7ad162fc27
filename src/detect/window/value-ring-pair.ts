import { stateClass } from '../../engine/snapshot.js';
import { medianInPlace, scratchOf } from './select.js';
import { grownSize, madSigmaOfSorted, medianOfSorted } from './value-ring.js';

/**
 * Two `ValueRing`s of the same capacity (ring 0 and ring 1: a symbol's two window lengths) in one
 * object and one array of rows [ring 0 value, ring 1 value]: the same statistics as ValueRing
 * (tested against it), one object and one array per symbol instead of two of each. Each ring has
 * its own fill and position; the rows grow as ValueRing's (`grownSize`) as the fuller ring fills (the two fill at
 * similar rates: on a thin symbol every trade closes a window of each length). With one window
 * length (`two` false) ring 1 is not used and the rows hold only ring 0.
 */
export class ValueRingPair {
  /** Ring k's i-th slot at width × i + k. */
  private values: number[] = NONE;
  private rows = 0;
  private filled0 = 0;
  private next0 = 0;
  private filled1 = 0;
  private next1 = 0;
  private readonly width: number;

  constructor(
    readonly capacity: number,
    two: boolean,
  ) {
    this.width = two ? 2 : 1;
  }

  size(k: number): number {
    return k === 0 ? this.filled0 : this.filled1;
  }

  push(k: number, v: number): void {
    const n = k === 0 ? this.filled0 : this.filled1;
    const w = this.width;
    if (n < this.capacity) {
      if (n === this.rows) this.resize(grownSize(n, this.capacity));
      this.values[w * n + k] = v;
      if (k === 0) this.filled0 = n + 1;
      else this.filled1 = n + 1;
      return;
    }
    if (k === 0) {
      this.values[w * this.next0] = v;
      this.next0 = this.next0 + 1 === n ? 0 : this.next0 + 1;
    } else {
      this.values[w * this.next1 + 1] = v;
      this.next1 = this.next1 + 1 === n ? 0 : this.next1 + 1;
    }
  }

  /** Drops the rows reserved beyond the values held (for a symbol waiting for its next trade). */
  trim(): void {
    const need = Math.max(this.filled0, this.filled1);
    if (need < this.rows) this.resize(need);
  }

  /** Ring k's median (NaN when empty): the value a sort gives. */
  median(k: number): number {
    const n = this.size(k);
    const a = scratchOf(n);
    for (let i = 0; i < n; i++) a[i] = this.values[this.width * i + k]!;
    const m = medianInPlace(a, n);
    // Selection does not order −0 and +0; a sort does (as ValueRing.median).
    return m === 0 ? medianOfSorted(this.sorted(k, identity), n) : m;
  }

  madSigma(k: number): number {
    return madSigmaOfSorted(this.sorted(k, identity), this.size(k));
  }

  logMedian(k: number): number {
    return medianOfSorted(this.sorted(k, Math.log), this.size(k));
  }

  logMadSigma(k: number): number {
    return madSigmaOfSorted(this.sorted(k, Math.log), this.size(k));
  }

  quantileAbs(k: number, q: number): number {
    const n = this.size(k);
    if (n === 0) return NaN;
    const a = this.sorted(k, Math.abs);
    const pos = Math.min(1, Math.max(0, q)) * (n - 1);
    const i = Math.floor(pos);
    return i + 1 < n ? a[i]! + (pos - i) * (a[i + 1]! - a[i]!) : a[i]!;
  }

  trimmedMeanAbs(k: number, trim: number): number {
    const n = this.size(k);
    if (n === 0) return NaN;
    const a = this.sorted(k, Math.abs);
    const keep = Math.max(1, Math.ceil(n * (1 - trim)));
    let s = 0;
    for (let i = 0; i < keep; i++) s += a[i]!;
    return s / keep;
  }

  /** f of ring k's values, ascending, in a shared scratch (as ValueRing's). */
  private sorted(k: number, f: (x: number) => number): Float64Array {
    const n = this.size(k);
    if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
    for (let i = 0; i < n; i++) scratch[i] = f(this.values[this.width * i + k]!);
    return scratch.subarray(0, n).sort();
  }

  /** Copies the rows held into a packed array of exactly `rows` rows. */
  private resize(rows: number): void {
    const out: number[] = [];
    const w = this.width;
    for (let i = 0; i < rows * w; i++) out.push(i < this.rows * w ? this.values[i]! : 0);
    this.values = out.slice();
    this.rows = rows;
  }
}

const NONE: number[] = [];
let scratch = new Float64Array(128);

function identity(x: number): number {
  return x;
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(ValueRingPair);
