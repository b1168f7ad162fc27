import { stateClass } from '../../../engine/snapshot.js';
import { pow2AtLeast, regrown } from '../pair-ring.js';

/**
 * The maximum of a value over a sliding event-time window: the max half of `TimeExtremes`
 * (window/time-extremes.ts), same deque and same answers (tested against it), for a reader that
 * never asks for the minimum (volume_spike's largest trade).
 *
 * The deque is a ring of (time, value) pairs in one array of a power-of-two number of pairs, grown
 * by doubling and never spliced: a thin symbol's deque holds one live pair, and an array grown by
 * pushes reserves 17+ slots (≈ 0.2 KB per deque) that it never gives back.
 */
export class TimeMax {
  /** Pair i of the deque (0 = oldest) at slots 2·((head + i) & mask), +1; values descending from the oldest. */
  private q: number[] = NONE;
  private head = 0;
  private count = 0;
  /** Pairs the array holds − 1 (−1: none yet). */
  private mask = -1;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window (the newest always stays). */
  push(tsMs: number, v: number): void {
    let c = this.count;
    let q = this.q;
    let mask = this.mask;
    const h = this.head;
    while (c > 0 && q[(((h + c - 1) & mask) << 1) + 1]! <= v) c--;
    if (c > mask) {
      q = this.q = regrown(q, h, c, mask, 2 * (mask + 1) || 1);
      mask = this.mask = q.length / 2 - 1;
      this.head = 0;
    }
    const j = ((this.head + c) & mask) << 1;
    q[j] = tsMs;
    q[j + 1] = v;
    c++;
    const cutoff = tsMs - this.windowMs;
    let head = this.head;
    while (c > 1 && q[head << 1]! < cutoff) {
      head = (head + 1) & mask;
      c--;
    }
    this.head = head;
    this.count = c;
  }

  /** Shrinks the array to the smallest power of two holding the live pairs (a symbol waiting for its next trade). */
  trim(): void {
    const pairs = pow2AtLeast(this.count);
    if (pairs < this.mask + 1) {
      this.q = regrown(this.q, this.head, this.count, this.mask, pairs);
      this.mask = pairs - 1;
      this.head = 0;
    }
  }

  get max(): number {
    return this.count > 0 ? this.q[(this.head << 1) + 1]! : NaN;
  }
}

/** Every deque's array before its first push, shared (a push replaces it before writing). */
const NONE: number[] = [];

/** Held in detector state, so checkpoints must know the class. */
stateClass(TimeMax);
