import { stateClass } from '../../engine/snapshot.js';
import { pow2AtLeast, regrown } from './pair-ring.js';

/**
 * The maximum of one stream of values over two sliding event-time windows, a short one and a long
 * one (volume_spike's largest trade in its short and long window; they may be equal): two `TimeMax`
 * deques' answers (tested against them) from one deque, as TimeRange does: values leave the tail
 * the same way whatever the window and the short window only drops more from the head, so its
 * deque is the newest `short` entries of the long one's. One ring of (time, value) pairs of a
 * power-of-two size (pair-ring.ts) and a count per window, instead of a deque per window.
 */
export class TimeMaxPair {
  private q: number[] = NONE;
  /** Pairs − 1 (−1: none yet). */
  private mask = -1;
  /** The long window's deque: values descending from its oldest entry (pair head), count entries. */
  private head = 0;
  private count = 0;
  /** The short window's: the last `short` of those. */
  private short = 0;

  constructor(
    private readonly window0Ms: number,
    private readonly window1Ms: number,
  ) {
    if (!(window0Ms <= window1Ms)) throw new Error(`short window ${window0Ms} longer than ${window1Ms}`);
  }

  /** Adds an observation at `tsMs` to both windows and drops those older than each (the newest always stays). */
  push(tsMs: number, v: number): void {
    let c = this.count;
    while (c > 0 && this.q[(((this.head + c - 1) & this.mask) << 1) + 1]! <= v) c--;
    // The short window's entries left: the tail pops took theirs first.
    let s = Math.max(0, this.short - (this.count - c)) + 1;
    this.count = c;
    if (c > this.mask) {
      // Full: twice the pairs (one at first).
      const pairs = 2 * (this.mask + 1) || 1;
      this.q = regrown(this.q, this.head, c, this.mask, pairs);
      this.mask = pairs - 1;
      this.head = 0;
    }
    const q = this.q;
    const mask = this.mask;
    let head = this.head;
    const j = ((head + c) & mask) << 1;
    q[j] = tsMs;
    q[j + 1] = v;
    c++;
    const cutShort = tsMs - this.window0Ms;
    while (s > 1 && q[((head + c - s) & mask) << 1]! < cutShort) s--;
    this.short = s;
    const cutLong = tsMs - this.window1Ms;
    while (c > 1 && q[head << 1]! < cutLong) {
      head = (head + 1) & mask;
      c--;
    }
    this.head = head;
    this.count = c;
  }

  /** Shrinks the ring to the smallest power of two of pairs holding the deque (a symbol waiting for its next trade). */
  trim(): void {
    const pairs = pow2AtLeast(this.count);
    if (pairs < this.mask + 1) {
      this.q = regrown(this.q, this.head, this.count, this.mask, pairs);
      this.mask = pairs - 1;
      this.head = 0;
    }
  }

  /** Maximum over window k (0 the short one, 1 the long one); NaN before the first push. */
  max(k: number): number {
    if (this.count === 0) return NaN;
    const row = k === 0 ? (this.head + this.count - this.short) & this.mask : this.head;
    return this.q[(row << 1) + 1]!;
  }
}

/** Every pair's array before its first push, shared (a push replaces it before writing). */
const NONE: number[] = [];

/** Held in detector state, so checkpoints must know the class. */
stateClass(TimeMaxPair);
