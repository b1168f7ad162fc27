import { stateClass } from '../../engine/snapshot.js';
import { dropFront } from './arrays.js';

/** What a ring holds before its first value, shared: never written (the first push gives the ring an array of its own). */
const NONE: number[] = [];
/** Dropped runs tolerated before compacting (a splice costs a call). */
const COMPACT_MIN = 8;

/**
 * The last `capacity` values pushed, kept as runs of equal values (value, count), with their median.
 * For series that repeat a value many times in a row: pump_and_dump's bucket closes are the last
 * price carried forward, so a symbol trading every twenty minutes pushes the same close twenty
 * times — one run here, where a ring of values held (and sorted) every copy. A liquid symbol's
 * closes are runs of one: the same values as a plain ring, two numbers each.
 *
 * Beside the runs (arrival order, for eviction) the distinct values are kept sorted with their
 * counts, so the median is a walk over them (a quiet symbol: one to three values) rather than a
 * selection over every copy at each bucket close. It is the one a sort of the held values gives (an
 * order statistic; for an even count the mean of the two middle ones, lower + upper). Values must
 * not be NaN.
 */
export class RunRing {
  /** [value, count, value, count, …], oldest first from `head`. */
  private runs: number[] = NONE;
  private head = 0;
  /** Values held (the counts' sum): at most `capacity`. */
  private filled = 0;
  /** The distinct values held with their counts, ascending: [value, count, …] (the median walks it). */
  private hist: number[] = NONE;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.filled;
  }

  /** Pushes v `times` times: the oldest values leave once the ring is full. */
  pushRepeated(v: number, times: number): void {
    const n = Math.min(times, this.capacity);
    if (n <= 0) return;
    let runs = this.runs;
    if (runs.length === 0) runs = this.runs = [];
    const last = runs.length - 2;
    if (last >= this.head && Object.is(runs[last], v)) runs[last + 1] = runs[last + 1]! + n;
    else runs.push(v, n);
    this.count(v, n);
    this.filled += n;
    // Drop the oldest values beyond the capacity, from the oldest run on.
    let excess = this.filled - this.capacity;
    if (excess <= 0) return;
    this.filled = this.capacity;
    let h = this.head;
    while (excess > 0) {
      const count = runs[h + 1]!;
      if (count > excess) {
        runs[h + 1] = count - excess;
        this.count(runs[h]!, -excess);
        break;
      }
      this.count(runs[h]!, -count);
      excess -= count;
      h += 2;
    }
    this.head = h;
    if (h >= 2 * COMPACT_MIN && 2 * h >= runs.length) {
      dropFront(runs, h);
      this.head = 0;
    }
  }

  /** Adds `delta` (negative: removes) copies of v to the distinct values' counts. */
  private count(v: number, delta: number): void {
    let hist = this.hist;
    // Binary search over the pairs for the first value not before v.
    let lo = 0;
    let hi = hist.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(hist[2 * mid]!, v)) lo = mid + 1;
      else hi = mid;
    }
    const i = 2 * lo;
    if (i < hist.length && Object.is(hist[i], v)) {
      const c = hist[i + 1]! + delta;
      if (c > 0) hist[i + 1] = c;
      else {
        // Gone: close the gap.
        for (let k = i + 2; k < hist.length; k++) hist[k - 2] = hist[k]!;
        hist.length -= 2;
      }
      return;
    }
    // A new value (delta > 0): open a gap at i.
    if (hist.length === 0) hist = this.hist = [];
    hist.push(0, 0);
    for (let k = hist.length - 1; k >= i + 2; k--) hist[k] = hist[k - 2]!;
    hist[i] = v;
    hist[i + 1] = delta;
  }

  /** Drops the room pushes reserved beyond the runs held, for a symbol waiting for its next trade (window/recent-ids.ts). */
  trim(): void {
    if (this.runs.length === 0) return;
    this.runs = this.runs.slice(this.head);
    this.head = 0;
    this.hist = this.hist.slice();
  }

  /** Median of the values held (NaN when empty): a walk over the distinct values to the middle rank(s). */
  median(): number {
    const n = this.filled;
    if (n === 0) return NaN;
    const hist = this.hist;
    const hi = n >> 1;
    // The value at rank hi, and the one at rank hi − 1 (for even n: the lower middle).
    let cum = 0;
    let lower = NaN;
    for (let i = 0; i < hist.length; i += 2) {
      const next = cum + hist[i + 1]!;
      if (hi - 1 >= cum && hi - 1 < next) lower = hist[i]!;
      if (hi < next) return n % 2 === 1 ? hist[i]! : (lower + hist[i]!) / 2;
      cum = next;
    }
    return NaN; // not reached: the counts sum to n
  }
}

/** The order of a sorted ring (window/robust.ts): numeric, with −0 before +0. */
function before(x: number, y: number): boolean {
  return x < y || (x === y && x === 0 && 1 / x < 1 / y);
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RunRing);
