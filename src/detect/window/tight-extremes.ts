import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacity, moveDownNumbers } from './arrays.js';

/** What the deques hold before the first push, shared: never written (a push gives them an array of their own). */
const NONE: number[] = [];

/**
 * TimeExtremes (window/reference/time-extremes.ts) with the same values, for a universe of mostly sparse
 * symbols: the minimum and maximum of a value over a sliding event-time window (monotonic deques of
 * (time, value) pairs). Both deques share one array of explicit capacity (window/arrays.ts), the
 * minimum's in its first half and the maximum's in its second, each compacted in place. A symbol
 * trading a few times a day holds one or two pairs per deque: a few slots in one array, where two
 * pushed arrays carried 17+ slots each and copies to trim them allocated at every return.
 */
export class TightExtremes {
  /** [time, value, …]: the minimum's deque in [loHead, loEnd) (values ascending), the maximum's in [hiHead, hiEnd) of the second half (descending). */
  private q: number[] = NONE;
  private loHead = 0;
  private loEnd = 0;
  private hiHead = 0;
  private hiEnd = 0;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window (never the newest). */
  push(tsMs: number, v: number): void {
    const cutoff = tsMs - this.windowMs;
    // Minimum: drop the tail values ≥ v, append, expire from the head.
    let q = this.q;
    let half = q.length >> 1;
    let head = this.loHead;
    let end = this.loEnd;
    while (end > head && q[end - 1]! >= v) end -= 2;
    if (end + 2 > half) {
      if (compactsInPlace(half, head, end - head, 2)) {
        moveDownNumbers(q, head, end);
        end -= head;
        head = 0;
      } else {
        this.loEnd = end;
        q = this.grow(end - head + 2);
        half = q.length >> 1;
        head = this.loHead;
        end = this.loEnd;
      }
    }
    q[end] = tsMs;
    q[end + 1] = v;
    end += 2;
    while (head < end - 2 && q[head]! < cutoff) head += 2;
    this.loHead = head;
    this.loEnd = end;
    // Maximum: likewise with the tail values ≤ v, in the second half.
    head = this.hiHead;
    end = this.hiEnd;
    while (end > head && q[end - 1]! <= v) end -= 2;
    if (end + 2 > 2 * half) {
      if (compactsInPlace(half, head - half, end - head, 2)) {
        moveDownNumbers(q, head, end, half);
        end -= head - half;
        head = half;
      } else {
        this.hiEnd = end;
        q = this.grow(end - head + 2);
        head = this.hiHead;
        end = this.hiEnd;
      }
    }
    q[end] = tsMs;
    q[end + 1] = v;
    end += 2;
    while (head < end - 2 && q[head]! < cutoff) head += 2;
    this.hiHead = head;
    this.hiEnd = end;
  }

  /** Moves both deques to the starts of the halves of a larger array, each half ≥ `need` slots. */
  private grow(need: number): number[] {
    const q = this.q;
    const lo = this.loEnd - this.loHead;
    const hi = this.hiEnd - this.hiHead;
    const half = grownCapacity(q.length >> 1, Math.max(need, lo, hi));
    const next = new Array<number>(2 * half);
    for (let i = 0; i < lo; i++) next[i] = q[this.loHead + i]!;
    for (let i = 0; i < hi; i++) next[half + i] = q[this.hiHead + i]!;
    this.q = next;
    this.loHead = 0;
    this.loEnd = lo;
    this.hiHead = half;
    this.hiEnd = half + hi;
    return next;
  }

  get min(): number {
    return this.loEnd > this.loHead ? this.q[this.loHead + 1]! : NaN;
  }
  get minAtMs(): number {
    return this.loEnd > this.loHead ? this.q[this.loHead]! : NaN;
  }
  get max(): number {
    return this.hiEnd > this.hiHead ? this.q[this.hiHead + 1]! : NaN;
  }
  get maxAtMs(): number {
    return this.hiEnd > this.hiHead ? this.q[this.hiHead]! : NaN;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TightExtremes);
