import { stateClass } from '../../engine/snapshot.js';
import { pow2AtLeast } from './pair-ring.js';

/**
 * Minimum and maximum of a value over a sliding event-time window, with their times: the same
 * deques and the same answers as `TimeExtremes` (window/reference/time-extremes.ts; tested against it).
 *
 * Both deques live in one array of rows [min time, min value, max time, max value] of a
 * power-of-two number of rows, each deque a ring over its own half of the rows (own head and
 * count, shared size): grown by doubling, shrunk by a trim, never spliced. A thin symbol's deques
 * hold one live entry each: one array of one row, instead of two arrays that pushes had grown
 * to 17+ slots each (TimeExtremes: ≈ 0.4 KB per range).
 */
export class TimeRange {
  private q: number[] = NONE;
  /** Rows − 1 (−1: none yet). */
  private mask = -1;
  /** Min deque: values ascending from its oldest entry (row loHead). */
  private loHead = 0;
  private loCount = 0;
  /** Max deque: values descending from its oldest entry (row hiHead). */
  private hiHead = 0;
  private hiCount = 0;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window (the newest always stays). */
  push(tsMs: number, v: number): void {
    const cutoff = tsMs - this.windowMs;
    // Min deque: slots 0 (time) and 1 (value) of its rows.
    let c = this.loCount;
    while (c > 0 && this.q[(((this.loHead + c - 1) & this.mask) << 2) + 1]! >= v) c--;
    this.loCount = c;
    if (c > this.mask) this.grow();
    let q = this.q;
    let mask = this.mask;
    let head = this.loHead;
    let j = ((head + c) & mask) << 2;
    q[j] = tsMs;
    q[j + 1] = v;
    c++;
    while (c > 1 && q[head << 2]! < cutoff) {
      head = (head + 1) & mask;
      c--;
    }
    this.loHead = head;
    this.loCount = c;
    // Max deque: slots 2 (time) and 3 (value).
    c = this.hiCount;
    while (c > 0 && q[(((this.hiHead + c - 1) & mask) << 2) + 3]! <= v) c--;
    this.hiCount = c;
    if (c > mask) {
      this.grow();
      q = this.q;
      mask = this.mask;
    }
    head = this.hiHead;
    j = ((head + c) & mask) << 2;
    q[j + 2] = tsMs;
    q[j + 3] = v;
    c++;
    while (c > 1 && q[(head << 2) + 2]! < cutoff) {
      head = (head + 1) & mask;
      c--;
    }
    this.hiHead = head;
    this.hiCount = c;
  }

  /** Shrinks the array to the smallest power of two of rows holding both deques (a symbol waiting for its next trade). */
  trim(): void {
    const rows = pow2AtLeast(Math.max(this.loCount, this.hiCount));
    if (rows < this.mask + 1) this.resize(rows);
  }

  get min(): number {
    return this.loCount > 0 ? this.q[(this.loHead << 2) + 1]! : NaN;
  }
  get minAtMs(): number {
    return this.loCount > 0 ? this.q[this.loHead << 2]! : NaN;
  }
  get max(): number {
    return this.hiCount > 0 ? this.q[(this.hiHead << 2) + 3]! : NaN;
  }
  get maxAtMs(): number {
    return this.hiCount > 0 ? this.q[(this.hiHead << 2) + 2]! : NaN;
  }

  /** Twice the rows (one at first). */
  private grow(): void {
    this.resize(2 * (this.mask + 1) || 1);
  }

  /** Copies both deques into `rows` rows (a power of two ≥ their counts), each from row 0, in a packed array of exactly that size. */
  private resize(rows: number): void {
    const out: number[] = [];
    const q = this.q;
    const mask = this.mask;
    for (let i = 0; i < rows; i++) {
      const lo = ((this.loHead + i) & mask) << 2;
      const hi = ((this.hiHead + i) & mask) << 2;
      out.push(
        i < this.loCount ? q[lo]! : 0,
        i < this.loCount ? q[lo + 1]! : 0,
        i < this.hiCount ? q[hi + 2]! : 0,
        i < this.hiCount ? q[hi + 3]! : 0,
      );
    }
    this.q = out.slice();
    this.mask = rows - 1;
    this.loHead = 0;
    this.hiHead = 0;
  }
}

/** Every range's array before its first push, shared (a push replaces it before writing). */
const NONE: number[] = [];

/** Held in detector state, so checkpoints must know the class. */
stateClass(TimeRange);
