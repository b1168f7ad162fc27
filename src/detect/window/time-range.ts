import { stateClass } from '../../engine/snapshot.js';
import { pow2AtLeast, regrown } from './pair-ring.js';

/**
 * Minimum and maximum of a value over a sliding event-time window, with their times: the same
 * deques and the same answers as `TimeExtremes` (window/time-extremes.ts; tested against it), each
 * kept as a ring of (time, value) pairs in one array of a power-of-two number of pairs (see
 * window/pair-ring.ts, and TimeMax for why): a thin symbol's deques hold one live pair each, not
 * the 17+ slots an array grown by pushes keeps.
 */
export class TimeRange {
  /** Min deque: values ascending from the oldest pair. */
  private lo: number[] = NONE;
  private loHead = 0;
  private loCount = 0;
  private loMask = -1;
  /** Max deque: values descending from the oldest pair. */
  private hi: number[] = NONE;
  private hiHead = 0;
  private hiCount = 0;
  private hiMask = -1;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window (the newest always stays). */
  push(tsMs: number, v: number): void {
    const cutoff = tsMs - this.windowMs;
    {
      let c = this.loCount;
      let q = this.lo;
      let mask = this.loMask;
      const h = this.loHead;
      while (c > 0 && q[(((h + c - 1) & mask) << 1) + 1]! >= v) c--;
      if (c > mask) {
        q = this.lo = regrown(q, h, c, mask, 2 * (mask + 1) || 1);
        mask = this.loMask = q.length / 2 - 1;
        this.loHead = 0;
      }
      let head = this.loHead;
      const j = ((head + c) & mask) << 1;
      q[j] = tsMs;
      q[j + 1] = v;
      c++;
      while (c > 1 && q[head << 1]! < cutoff) {
        head = (head + 1) & mask;
        c--;
      }
      this.loHead = head;
      this.loCount = c;
    }
    {
      let c = this.hiCount;
      let q = this.hi;
      let mask = this.hiMask;
      const h = this.hiHead;
      while (c > 0 && q[(((h + c - 1) & mask) << 1) + 1]! <= v) c--;
      if (c > mask) {
        q = this.hi = regrown(q, h, c, mask, 2 * (mask + 1) || 1);
        mask = this.hiMask = q.length / 2 - 1;
        this.hiHead = 0;
      }
      let head = this.hiHead;
      const j = ((head + c) & mask) << 1;
      q[j] = tsMs;
      q[j + 1] = v;
      c++;
      while (c > 1 && q[head << 1]! < cutoff) {
        head = (head + 1) & mask;
        c--;
      }
      this.hiHead = head;
      this.hiCount = c;
    }
  }

  /** Shrinks both arrays to the smallest power of two holding their live pairs (a symbol waiting for its next trade). */
  trim(): void {
    let pairs = pow2AtLeast(this.loCount);
    if (pairs < this.loMask + 1) {
      this.lo = regrown(this.lo, this.loHead, this.loCount, this.loMask, pairs);
      this.loMask = pairs - 1;
      this.loHead = 0;
    }
    pairs = pow2AtLeast(this.hiCount);
    if (pairs < this.hiMask + 1) {
      this.hi = regrown(this.hi, this.hiHead, this.hiCount, this.hiMask, pairs);
      this.hiMask = pairs - 1;
      this.hiHead = 0;
    }
  }

  get min(): number {
    return this.loCount > 0 ? this.lo[(this.loHead << 1) + 1]! : NaN;
  }
  get minAtMs(): number {
    return this.loCount > 0 ? this.lo[this.loHead << 1]! : NaN;
  }
  get max(): number {
    return this.hiCount > 0 ? this.hi[(this.hiHead << 1) + 1]! : NaN;
  }
  get maxAtMs(): number {
    return this.hiCount > 0 ? this.hi[this.hiHead << 1]! : NaN;
  }
}

/** Every deque's array before its first push, shared (a push replaces it before writing). */
const NONE: number[] = [];

/** Held in detector state, so checkpoints must know the class. */
stateClass(TimeRange);
