import { stateClass } from '../../engine/snapshot.js';

/** Dead entries tolerated before compacting, as in TimeExtremes (window/time-extremes.ts). */
const COMPACT_MIN = 4;

/**
 * The maximum of a value over a sliding event-time window: the max half of `TimeExtremes`
 * (window/time-extremes.ts), same deque and same answers (it is tested against it), for a reader
 * that never asks for the minimum (volume_spike's largest trade): half the arrays per symbol and
 * half the work per push.
 */
export class TimeMax {
  /** [time, value, time, value, …]: values descending from the head (index `head`, even). */
  private q: number[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window. */
  push(tsMs: number, v: number): void {
    const q = this.q;
    while (q.length > this.head && q[q.length - 1]! <= v) {
      q.pop();
      q.pop();
    }
    q.push(tsMs, v);
    const cutoff = tsMs - this.windowMs;
    // The newest entry always stays (as TimeExtremes keeps it).
    while (this.head < q.length - 2 && q[this.head]! < cutoff) this.head += 2;
    if (this.head >= 2 * COMPACT_MIN && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Drops the room that pushes reserved beyond the entries held (a symbol waiting for its next trade). */
  trim(): void {
    this.q = this.q.slice(this.head);
    this.head = 0;
  }

  get max(): number {
    return this.q.length > this.head ? this.q[this.head + 1]! : NaN;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TimeMax);
