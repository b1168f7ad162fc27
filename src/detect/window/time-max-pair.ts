import { stateClass } from '../../engine/snapshot.js';
import { pow2AtLeast } from './pair-ring.js';

/**
 * The maximum of one stream of values over two sliding event-time windows (volume_spike's largest
 * trade in its short and long window): two `TimeMax` deques with the same answers (tested against
 * them), kept in one array of rows [time, value (window 0), time, value (window 1)] of a
 * power-of-two number of rows, each deque a ring over its half of the rows (own head and count,
 * shared size), as TimeRange keeps its two: one object and one array per symbol instead of two of
 * each. With one window length (both equal) only the first deque is kept.
 */
export class TimeMaxPair {
  private q: number[] = NONE;
  /** Rows − 1 (−1: none yet). */
  private mask = -1;
  private head0 = 0;
  private count0 = 0;
  private head1 = 0;
  private count1 = 0;
  private readonly two: boolean;

  constructor(
    private readonly window0Ms: number,
    private readonly window1Ms: number,
  ) {
    this.two = window1Ms !== window0Ms;
  }

  /** Adds an observation at `tsMs` to both windows and drops those older than each (the newest always stays). */
  push(tsMs: number, v: number): void {
    let c = this.count0;
    while (c > 0 && this.q[(((this.head0 + c - 1) & this.mask) << 2) + 1]! <= v) c--;
    this.count0 = c;
    if (c > this.mask) this.grow();
    let q = this.q;
    let mask = this.mask;
    let head = this.head0;
    let cutoff = tsMs - this.window0Ms;
    let j = ((head + c) & mask) << 2;
    q[j] = tsMs;
    q[j + 1] = v;
    c++;
    while (c > 1 && q[head << 2]! < cutoff) {
      head = (head + 1) & mask;
      c--;
    }
    this.head0 = head;
    this.count0 = c;
    if (!this.two) return;
    c = this.count1;
    while (c > 0 && q[(((this.head1 + c - 1) & mask) << 2) + 3]! <= v) c--;
    this.count1 = c;
    if (c > mask) {
      this.grow();
      q = this.q;
      mask = this.mask;
    }
    head = this.head1;
    cutoff = tsMs - this.window1Ms;
    j = ((head + c) & mask) << 2;
    q[j + 2] = tsMs;
    q[j + 3] = v;
    c++;
    while (c > 1 && q[(head << 2) + 2]! < cutoff) {
      head = (head + 1) & mask;
      c--;
    }
    this.head1 = head;
    this.count1 = c;
  }

  /** Shrinks the array to the smallest power of two of rows holding both deques (a symbol waiting for its next trade). */
  trim(): void {
    const rows = pow2AtLeast(Math.max(this.count0, this.count1));
    if (rows < this.mask + 1) this.resize(rows);
  }

  /** Maximum over window k (0 or 1; with one window length, 1 reads window 0). */
  max(k: number): number {
    if (k === 0 || !this.two) return this.count0 > 0 ? this.q[(this.head0 << 2) + 1]! : NaN;
    return this.count1 > 0 ? this.q[(this.head1 << 2) + 3]! : NaN;
  }

  private grow(): void {
    this.resize(2 * (this.mask + 1) || 1);
  }

  /** Copies both deques into `rows` rows (a power of two ≥ their counts), each from row 0, in a packed array of exactly that size. */
  private resize(rows: number): void {
    const out: number[] = [];
    const q = this.q;
    const mask = this.mask;
    for (let i = 0; i < rows; i++) {
      const a = ((this.head0 + i) & mask) << 2;
      const b = ((this.head1 + i) & mask) << 2;
      out.push(
        i < this.count0 ? q[a]! : 0,
        i < this.count0 ? q[a + 1]! : 0,
        i < this.count1 ? q[b + 2]! : 0,
        i < this.count1 ? q[b + 3]! : 0,
      );
    }
    this.q = out.slice();
    this.mask = rows - 1;
    this.head0 = 0;
    this.head1 = 0;
  }
}

/** Every pair's array before its first push, shared (a push replaces it before writing). */
const NONE: number[] = [];

/** Held in detector state, so checkpoints must know the class. */
stateClass(TimeMaxPair);
