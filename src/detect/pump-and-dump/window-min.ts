import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacity, moveDownNumbers, regrowNumbers } from '../window/arrays.js';

/** What the deque holds before the first push, shared: never written (a push gives it an array of its own). */
const NONE: number[] = [];

/**
 * The minimum of a value over a sliding event-time window, and its time: the minimum's half of
 * TimeExtremes (window/reference/time-extremes.ts, tested against it), the same values.
 * pump_and_dump reads only the window's low; a maximum kept beside it was a pair or two and half an
 * array's slack per symbol (100k symbols) for nothing.
 *
 * A monotonic deque of (time, value) pairs, values ascending, in an array of explicit capacity
 * (window/arrays.ts) compacted in place: a symbol trading a few times a day holds a pair or two in
 * a few slots.
 */
export class WindowMin {
  /** [time, value, …] in [head, end). */
  private q: number[] = NONE;
  private head = 0;
  private end = 0;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window (never the newest). */
  push(tsMs: number, v: number): void {
    const cutoff = tsMs - this.windowMs;
    let q = this.q;
    let head = this.head;
    let end = this.end;
    // Drop the tail values ≥ v (they can no longer be the minimum), append, expire from the head.
    while (end > head && q[end - 1]! >= v) end -= 2;
    if (end + 2 > q.length) {
      const live = end - head;
      if (compactsInPlace(q.length, head, live, 2)) moveDownNumbers(q, head, end);
      else this.q = q = regrowNumbers(q, head, end, grownCapacity(q.length, live + 2));
      head = 0;
      end = live;
    }
    q[end] = tsMs;
    q[end + 1] = v;
    end += 2;
    while (head < end - 2 && q[head]! < cutoff) head += 2;
    this.head = head;
    this.end = end;
  }

  /** The window's minimum (NaN before the first push). */
  get min(): number {
    return this.end > this.head ? this.q[this.head + 1]! : NaN;
  }

  /** When the minimum was pushed (the earliest of equal values still held: as TimeExtremes). */
  get minAtMs(): number {
    return this.end > this.head ? this.q[this.head]! : NaN;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(WindowMin);
