import { stateClass } from '../../engine/snapshot.js';
import { pow2AtLeast } from './pair-ring.js';

/**
 * Minimum and maximum of a value over two sliding event-time windows of the same series (a short
 * one and a long one; they may be equal), with their times: per window, the same deques and the
 * same answers as a `TimeExtremes` of that length (window/reference/time-extremes.ts; tested
 * against one per window, late prints included).
 *
 * One deque per side serves both windows: values are dropped from the tail the same way whatever
 * the window, and the short window only drops more from the head, so its deque is always a suffix
 * (the newest `short` entries) of the long one's. A symbol keeps one deque pair and a count per
 * window instead of a range object and array per window (price_anomaly: ~0.15 KB per symbol).
 *
 * Both deques live in one array of rows [min time, min value, max time, max value] of a
 * power-of-two number of rows, each deque a ring over its own half of the rows (own head and
 * count, shared size): grown by doubling, shrunk by a trim, never spliced.
 */
export class TimeRange {
  private q: number[] = NONE;
  /** Rows − 1 (−1: none yet). */
  private mask = -1;
  /** Min deque: values ascending from its oldest entry (row loHead); the short window's are its last loShort. */
  private loHead = 0;
  private loCount = 0;
  private loShort = 0;
  /** Max deque: values descending from its oldest entry (row hiHead); the short window's are its last hiShort. */
  private hiHead = 0;
  private hiCount = 0;
  private hiShort = 0;

  constructor(
    private readonly shortMs: number,
    private readonly longMs: number,
  ) {
    if (!(shortMs <= longMs)) throw new Error(`short window ${shortMs} longer than ${longMs}`);
  }

  /** Adds an observation at `tsMs` and drops those older than each window (the newest always stays). */
  push(tsMs: number, v: number): void {
    const cutShort = tsMs - this.shortMs;
    const cutLong = tsMs - this.longMs;
    // Min deque: slots 0 (time) and 1 (value) of its rows.
    let c = this.loCount;
    while (c > 0 && this.q[(((this.loHead + c - 1) & this.mask) << 2) + 1]! >= v) c--;
    // The short window's entries left: the tail pops took theirs first.
    let s = Math.max(0, this.loShort - (this.loCount - c)) + 1;
    this.loCount = c;
    if (c > this.mask) this.grow();
    let q = this.q;
    let mask = this.mask;
    let head = this.loHead;
    let j = ((head + c) & mask) << 2;
    q[j] = tsMs;
    q[j + 1] = v;
    c++;
    while (s > 1 && q[((head + c - s) & mask) << 2]! < cutShort) s--;
    this.loShort = s;
    while (c > 1 && q[head << 2]! < cutLong) {
      head = (head + 1) & mask;
      c--;
    }
    this.loHead = head;
    this.loCount = c;
    // Max deque: slots 2 (time) and 3 (value).
    c = this.hiCount;
    while (c > 0 && q[(((this.hiHead + c - 1) & mask) << 2) + 3]! <= v) c--;
    s = Math.max(0, this.hiShort - (this.hiCount - c)) + 1;
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
    while (s > 1 && q[(((head + c - s) & mask) << 2) + 2]! < cutShort) s--;
    this.hiShort = s;
    while (c > 1 && q[(head << 2) + 2]! < cutLong) {
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

  /** The minimum over the short window (k 0) or the long one (k 1); NaN before the first push. */
  min(k: number): number {
    return this.loCount > 0 ? this.q[(this.loRow(k) << 2) + 1]! : NaN;
  }
  minAtMs(k: number): number {
    return this.loCount > 0 ? this.q[this.loRow(k) << 2]! : NaN;
  }
  max(k: number): number {
    return this.hiCount > 0 ? this.q[(this.hiRow(k) << 2) + 3]! : NaN;
  }
  maxAtMs(k: number): number {
    return this.hiCount > 0 ? this.q[(this.hiRow(k) << 2) + 2]! : NaN;
  }

  /** Row of the min deque's oldest entry in window k. */
  private loRow(k: number): number {
    return k === 0 ? (this.loHead + this.loCount - this.loShort) & this.mask : this.loHead;
  }
  private hiRow(k: number): number {
    return k === 0 ? (this.hiHead + this.hiCount - this.hiShort) & this.mask : this.hiHead;
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
