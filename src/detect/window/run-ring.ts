import { stateClass } from '../../engine/snapshot.js';
import { medianInPlace, scratchOf } from './select.js';

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
 * The median is the one a sort of the held values gives (an order statistic; for an even count the
 * mean of the two middle ones, lower + upper). Values must not be NaN.
 */
export class RunRing {
  /** [value, count, value, count, …], oldest first from `head`. */
  private runs: number[] = NONE;
  private head = 0;
  /** Values held (the counts' sum): at most `capacity`. */
  private filled = 0;

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
        break;
      }
      excess -= count;
      h += 2;
    }
    this.head = h;
    if (h >= 2 * COMPACT_MIN && 2 * h >= runs.length) {
      runs.splice(0, h);
      this.head = 0;
    }
  }

  /** Drops the room pushes reserved beyond the runs held, for a symbol waiting for its next trade (window/recent-ids.ts). */
  trim(): void {
    if (this.runs.length === 0) return;
    this.runs = this.runs.slice(this.head);
    this.head = 0;
  }

  /** Median of the values held (NaN when empty). */
  median(): number {
    const runs = this.runs;
    const h = this.head;
    // One run (a quiet symbol's closes): its value, as a sort of equal values gives.
    if (runs.length - h === 2) return runs[h]!;
    const a = scratchOf(this.filled);
    let k = 0;
    for (let i = h; i < runs.length; i += 2) {
      const v = runs[i]!;
      for (let c = runs[i + 1]!; c > 0; c--) a[k++] = v;
    }
    return medianInPlace(a, k);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RunRing);
