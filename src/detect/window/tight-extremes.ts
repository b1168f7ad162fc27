import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacity, moveDownNumbers, regrowNumbers } from './arrays.js';

/** What a deque holds before its first push, shared: never written (a push gives it an array of its own). */
const NONE: number[] = [];

/**
 * TimeExtremes (window/time-extremes.ts) with the same values, for a universe of mostly sparse
 * symbols: the minimum and maximum of a value over a sliding event-time window (monotonic deques of
 * (time, value) pairs), each deque an array of explicit capacity (window/arrays.ts) compacted in
 * place. A symbol trading a few times a day holds one or two pairs per deque: a few slots, where a
 * pushed array carried 17+ and copies to trim them allocated at every return.
 */
export class TightExtremes {
  /** [time, value, …] from `loHead` to `loEnd` (exclusive), values ascending. */
  private lo: number[] = NONE;
  private loHead = 0;
  private loEnd = 0;
  /** Likewise with values descending. */
  private hi: number[] = NONE;
  private hiHead = 0;
  private hiEnd = 0;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window (never the newest). */
  push(tsMs: number, v: number): void {
    const cutoff = tsMs - this.windowMs;
    // Minimum: drop the tail values ≥ v, append, expire from the head.
    let lo = this.lo;
    let head = this.loHead;
    let end = this.loEnd;
    while (end > head && lo[end - 1]! >= v) end -= 2;
    if (end + 2 > lo.length) {
      if (compactsInPlace(lo.length, head, end - head, 2)) moveDownNumbers(lo, head, end);
      else this.lo = lo = regrowNumbers(lo, head, end, grownCapacity(lo.length, end - head + 2));
      end -= head;
      head = 0;
    }
    lo[end] = tsMs;
    lo[end + 1] = v;
    end += 2;
    while (head < end - 2 && lo[head]! < cutoff) head += 2;
    this.loHead = head;
    this.loEnd = end;
    // Maximum: likewise with the tail values ≤ v.
    let hi = this.hi;
    head = this.hiHead;
    end = this.hiEnd;
    while (end > head && hi[end - 1]! <= v) end -= 2;
    if (end + 2 > hi.length) {
      if (compactsInPlace(hi.length, head, end - head, 2)) moveDownNumbers(hi, head, end);
      else this.hi = hi = regrowNumbers(hi, head, end, grownCapacity(hi.length, end - head + 2));
      end -= head;
      head = 0;
    }
    hi[end] = tsMs;
    hi[end + 1] = v;
    end += 2;
    while (head < end - 2 && hi[head]! < cutoff) head += 2;
    this.hiHead = head;
    this.hiEnd = end;
  }

  get min(): number {
    return this.loEnd > this.loHead ? this.lo[this.loHead + 1]! : NaN;
  }
  get minAtMs(): number {
    return this.loEnd > this.loHead ? this.lo[this.loHead]! : NaN;
  }
  get max(): number {
    return this.hiEnd > this.hiHead ? this.hi[this.hiHead + 1]! : NaN;
  }
  get maxAtMs(): number {
    return this.hiEnd > this.hiHead ? this.hi[this.hiHead]! : NaN;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TightExtremes);
