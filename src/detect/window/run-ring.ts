import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacity, moveDownNumbers, regrowNumbers } from './arrays.js';

/** What a ring holds before its first value, shared: never written (the first push gives the ring an array of its own). */
const NONE: number[] = [];
/**
 * Runs held up to which the median sorts the runs themselves (a quiet symbol's ring: a few runs):
 * the sorted distinct values (`hist`) are kept only once a ring has held more, so most rings of a
 * wide universe have no second array.
 */
const HIST_RUNS = 8;
/** Scratch (not state): the runs sorted by value, [value, count, …], for a ring without `hist`. */
const sorted = new Float64Array(2 * HIST_RUNS);

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
 *
 * Both arrays have an explicit capacity (window/arrays.ts), compacted in place: a quiet symbol's
 * ring holds a few slots, not the 17+ a push reserves, with no copies to trim them.
 */
export class RunRing {
  /** [value, count, value, count, …], oldest first from `head` to `end` (exclusive). */
  private runs: number[] = NONE;
  private head = 0;
  private end = 0;
  /** Values held (the counts' sum): at most `capacity`. */
  private filled = 0;
  /**
   * The distinct values held with their counts, ascending: [value, count, …] up to `histEnd` (the
   * median walks it), kept once the ring has held more than HIST_RUNS runs (`histOn`).
   */
  private hist: number[] = NONE;
  private histEnd = 0;
  private histOn = false;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.filled;
  }

  /** Pushes v `times` times: the oldest values leave once the ring is full. */
  pushRepeated(v: number, times: number): void {
    const n = Math.min(times, this.capacity);
    if (n <= 0) return;
    let runs = this.runs;
    const last = this.end - 2;
    if (last >= this.head && Object.is(runs[last], v)) runs[last + 1] = runs[last + 1]! + n;
    else {
      if (this.end + 2 > runs.length) {
        // Full: compact in place or grow (window/arrays.ts).
        const live = this.end - this.head;
        if (compactsInPlace(runs.length, this.head, live, 2)) moveDownNumbers(runs, this.head, this.end);
        else this.runs = runs = regrowNumbers(runs, this.head, this.end, grownCapacity(runs.length, live + 2));
        this.head = 0;
        this.end = live;
      }
      runs[this.end] = v;
      runs[this.end + 1] = n;
      this.end += 2;
    }
    if (this.histOn) this.count(v, n);
    else if (this.end - this.head > 2 * HIST_RUNS) {
      // Many runs from now on (a liquid symbol): keep the distinct values sorted, counting those held.
      this.histOn = true;
      for (let i = this.head; i < this.end; i += 2) this.count(runs[i]!, runs[i + 1]!);
    }
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
        if (this.histOn) this.count(runs[h]!, -excess);
        break;
      }
      if (this.histOn) this.count(runs[h]!, -count);
      excess -= count;
      h += 2;
    }
    this.head = h;
  }

  /** Adds `delta` (negative: removes) copies of v to the distinct values' counts. */
  private count(v: number, delta: number): void {
    let hist = this.hist;
    const end = this.histEnd;
    // Binary search over the pairs for the first value not before v.
    let lo = 0;
    let hi = end >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(hist[2 * mid]!, v)) lo = mid + 1;
      else hi = mid;
    }
    const i = 2 * lo;
    if (i < end && Object.is(hist[i], v)) {
      const c = hist[i + 1]! + delta;
      if (c > 0) hist[i + 1] = c;
      else {
        // Gone: close the gap.
        for (let k = i + 2; k < end; k++) hist[k - 2] = hist[k]!;
        this.histEnd = end - 2;
      }
      return;
    }
    // A new value (delta > 0): open a gap at i.
    if (end + 2 > hist.length) this.hist = hist = regrowNumbers(hist, 0, end, grownCapacity(hist.length, end + 2));
    for (let k = end + 1; k >= i + 2; k--) hist[k] = hist[k - 2]!;
    hist[i] = v;
    hist[i + 1] = delta;
    this.histEnd = end + 2;
  }

  /** Median of the values held (NaN when empty): a walk over the distinct values to the middle rank(s). */
  median(): number {
    const n = this.filled;
    if (n === 0) return NaN;
    let hist: ArrayLike<number> = this.hist;
    let histEnd = this.histEnd;
    if (!this.histOn) {
      // A few runs: sorted by value here (insertion sort; equal values end up adjacent, which walks
      // to the same ranks as their merged count).
      const runs = this.runs;
      histEnd = 0;
      for (let r = this.head; r < this.end; r += 2) {
        const v = runs[r]!;
        let i = histEnd;
        for (; i > 0 && before(v, sorted[i - 2]!); i -= 2) {
          sorted[i] = sorted[i - 2]!;
          sorted[i + 1] = sorted[i - 1]!;
        }
        sorted[i] = v;
        sorted[i + 1] = runs[r + 1]!;
        histEnd += 2;
      }
      hist = sorted;
    }
    const hi = n >> 1;
    // The value at rank hi, and the one at rank hi − 1 (for even n: the lower middle).
    let cum = 0;
    let lower = NaN;
    for (let i = 0; i < histEnd; i += 2) {
      const next = cum + hist[i + 1]!;
      if (hi - 1 >= cum && hi - 1 < next) lower = hist[i]!;
      if (hi < next) return n % 2 === 1 ? hist[i]! : (lower + hist[i]!) / 2;
      cum = next;
    }
    return NaN; // not reached: the counts sum to n
  }
}

/** The order of a sorted ring (window/reference/robust.ts): numeric, with −0 before +0. */
function before(x: number, y: number): boolean {
  return x < y || (x === y && x === 0 && 1 / x < 1 / y);
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RunRing);
