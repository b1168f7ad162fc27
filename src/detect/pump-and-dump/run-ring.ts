import { stateClass } from '../../engine/snapshot.js';
import { grownCapacity } from '../window/arrays.js';
import { columnCapacity, grownInt32, grownUint8 } from './columns.js';
import { Slab, type SlabBlocks } from './slab.js';
import { SlotBlocks, shrinkBlock } from './slot-blocks.js';

/**
 * Runs held up to which the median sorts the runs themselves (a quiet symbol's ring: a few runs):
 * the sorted distinct values (`hist`) are kept only once a ring has held more, so most rings of a
 * wide universe have no second block.
 */
const HIST_RUNS = 8;
/** Scratch (not state): the runs sorted by value, [value, count, …], for a ring without `hist`. */
const sorted = new Float64Array(2 * HIST_RUNS);

/**
 * For every symbol slot (its id in pump_and_dump's `states`), the last `capacity` values pushed, kept as runs of equal values
 * (value, count), with their median. For series that repeat a value many times in a row:
 * pump_and_dump's bucket closes are the last price carried forward, so a symbol trading every
 * twenty minutes pushes the same close twenty times — one run here, where a ring of values held
 * (and sorted) every copy. A liquid symbol's closes are runs of one: the same values as a plain
 * ring, two numbers each.
 *
 * Beside the runs (arrival order, for eviction) the distinct values are kept sorted with their
 * counts, so the median is a walk over them (a quiet symbol: one to three values) rather than a
 * selection over every copy at each bucket close. It is the one a sort of the held values gives (an
 * order statistic; for an even count the mean of the two middle ones, lower + upper). Values must
 * not be NaN.
 *
 * Both are blocks of a shared Slab (compacted in place, or moved to a larger block when full): a
 * quiet symbol's ring is a few numbers, with no object or array of its own.
 */
export class RunRings extends SlotBlocks {
  // A slot's block (SlotBlocks) holds its runs [value, count, …] oldest first in [head, end).

  /** Values held (the counts' sum): at most `capacity`. */
  private filled = new Int32Array(0);
  /**
   * The distinct values held with their counts, ascending: [value, count, …] in [0, histEnd) of
   * its block (the median walks it), kept once the ring has held more than HIST_RUNS runs (`histOn`).
   */
  private histOff = new Int32Array(0);
  private histCap = new Int32Array(0);
  private histEnd = new Int32Array(0);
  private histOn = new Uint8Array(0);

  constructor(
    slab: Slab,
    readonly capacity: number,
  ) {
    super(slab);
  }

  /** Makes `slot` an empty ring (a new symbol's). */
  override add(slot: number): void {
    if (slot >= this.off.length) {
      const n = columnCapacity(this.off.length, slot);
      this.filled = grownInt32(this.filled, n);
      this.histOff = grownInt32(this.histOff, n);
      this.histCap = grownInt32(this.histCap, n);
      this.histEnd = grownInt32(this.histEnd, n);
      this.histOn = grownUint8(this.histOn, n);
    }
    super.add(slot);
    this.histOff[slot] = -1;
    this.filled[slot] = 0;
    this.histCap[slot] = this.histEnd[slot] = this.histOn[slot] = 0;
  }

  /** The runs' blocks and the sorted values' (for Slab.compact). */
  override blocks(): SlabBlocks[] {
    return [...super.blocks(), { off: this.histOff, cap: this.histCap }];
  }

  /** Frees the slot's blocks (the symbol is dropped). */
  override drop(slot: number): void {
    if (this.histCap[slot]! > 0) this.slab.free(this.histOff[slot]!, this.histCap[slot]!);
    super.drop(slot);
  }

  size(slot: number): number {
    return this.filled[slot]!;
  }

  /** Shrinks the slot's blocks to what it holds and one more run (see shrinkBlock), the sorted values' too. */
  shrink(slot: number): void {
    this.trim(slot, 2);
    shrinkBlock(this.slab, this.histOff, this.histCap, slot, 0, this.histEnd[slot]!, 2);
  }

  /** Pushes v `times` times: the oldest values leave once the ring is full. */
  pushRepeated(slot: number, v: number, times: number): void {
    const n = Math.min(times, this.capacity);
    if (n <= 0) return;
    let off = this.off[slot]!;
    let head = this.head[slot]!;
    let end = this.end[slot]!;
    let runs = this.slab.nums;
    const last = end - 2;
    if (last >= head && Object.is(runs[off + last], v)) runs[off + last + 1] = runs[off + last + 1]! + n;
    else {
      // A new run, after room is made (see SlotBlocks.makeRoom).
      end = this.makeRoom(slot, end, 2);
      off = this.off[slot]!;
      head = this.head[slot]!;
      runs = this.slab.nums;
      runs[off + end] = v;
      runs[off + end + 1] = n;
      end += 2;
    }
    this.end[slot] = end;
    this.head[slot] = head;
    if (this.histOn[slot]) this.count(slot, v, n);
    else if (end - head > 2 * HIST_RUNS) {
      // Many runs from now on (a liquid symbol): keep the distinct values sorted, counting those held.
      this.histOn[slot] = 1;
      for (let i = head; i < end; i += 2) this.count(slot, this.slab.nums[off + i]!, this.slab.nums[off + i + 1]!);
    }
    runs = this.slab.nums; // (count may have grown the slab)
    let filled = this.filled[slot]! + n;
    // Drop the oldest values beyond the capacity, from the oldest run on.
    let excess = filled - this.capacity;
    if (excess > 0) {
      filled = this.capacity;
      let h = head;
      while (excess > 0) {
        const count = runs[off + h + 1]!;
        if (count > excess) {
          runs[off + h + 1] = count - excess;
          if (this.histOn[slot]) this.count(slot, runs[off + h]!, -excess);
          break;
        }
        if (this.histOn[slot]) this.count(slot, runs[off + h]!, -count);
        excess -= count;
        h += 2;
      }
      this.head[slot] = h;
    }
    this.filled[slot] = filled;
  }

  /** Adds `delta` (negative: removes) copies of v to the slot's distinct values' counts. */
  private count(slot: number, v: number, delta: number): void {
    let off = this.histOff[slot]!;
    let hist = this.slab.nums;
    const end = this.histEnd[slot]!;
    // Binary search over the pairs for the first value not before v.
    let lo = 0;
    let hi = end >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(hist[off + 2 * mid]!, v)) lo = mid + 1;
      else hi = mid;
    }
    const i = 2 * lo;
    if (i < end && Object.is(hist[off + i], v)) {
      const c = hist[off + i + 1]! + delta;
      if (c > 0) hist[off + i + 1] = c;
      else {
        // Gone: close the gap.
        hist.copyWithin(off + i, off + i + 2, off + end);
        this.histEnd[slot] = end - 2;
      }
      return;
    }
    // A new value (delta > 0): open a gap at i.
    const cap = this.histCap[slot]!;
    if (end + 2 > cap) {
      const need = grownCapacity(cap, end + 2);
      this.histOff[slot] = off = this.slab.regrow(off, cap, 0, end, need);
      this.histCap[slot] = Slab.capacity(need);
      hist = this.slab.nums;
    }
    hist.copyWithin(off + i + 2, off + i, off + end);
    hist[off + i] = v;
    hist[off + i + 1] = delta;
    this.histEnd[slot] = end + 2;
  }

  /** Median of the slot's values (NaN when empty): a walk over the distinct values to the middle rank(s). */
  median(slot: number): number {
    const n = this.filled[slot]!;
    if (n === 0) return NaN;
    let hist: ArrayLike<number> = this.slab.nums;
    let from = this.histOff[slot]!;
    let histEnd = this.histEnd[slot]!;
    if (!this.histOn[slot]) {
      // A few runs: sorted by value here (insertion sort; equal values end up adjacent, which walks
      // to the same ranks as their merged count).
      const runs = this.slab.nums;
      const off = this.off[slot]!;
      const end = this.end[slot]!;
      histEnd = 0;
      for (let r = this.head[slot]!; r < end; r += 2) {
        const v = runs[off + r]!;
        let i = histEnd;
        for (; i > 0 && before(v, sorted[i - 2]!); i -= 2) {
          sorted[i] = sorted[i - 2]!;
          sorted[i + 1] = sorted[i - 1]!;
        }
        sorted[i] = v;
        sorted[i + 1] = runs[off + r + 1]!;
        histEnd += 2;
      }
      hist = sorted;
      from = 0;
    }
    const hi = n >> 1;
    // The value at rank hi, and the one at rank hi − 1 (for even n: the lower middle).
    let cum = 0;
    let lower = NaN;
    for (let i = from; i < from + histEnd; i += 2) {
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
stateClass(RunRings);
