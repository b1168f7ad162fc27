import { stateClass } from '../../../engine/snapshot.js';

/**
 * Dead entries tolerated before compacting (a splice costs a call; tiny ones are not worth it). Small:
 * a deque usually holds a few live entries, and a larger dead prefix kept every deque of every
 * symbol at 40+ slots (four deques per series, several series per symbol: ~1.3 KB per symbol).
 */
const COMPACT_MIN = 4;

/**
 * Minimum and maximum of a value over a sliding event-time window, amortised O(1) per update
 * (monotonic deques). Used for "how far has the price moved within the last N minutes".
 *
 * Each deque is one array of (time, value) pairs, not two arrays: an update touches the deques'
 * tails and heads, and with the detectors' state spread over many symbols each array touched is a
 * likely cache miss (this class was updated five times per trade across the price detectors).
 */
export class TimeExtremes {
  /** [time, value, time, value, …]: values ascending from the head (index `minHead`, even). */
  private minQ: number[] = [];
  private minHead = 0;
  /** Likewise with values descending. */
  private maxQ: number[] = [];
  private maxHead = 0;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window. */
  push(tsMs: number, v: number): void {
    // Two pops per pair dropped: setting `length` is a runtime call, pop is not.
    const lo = this.minQ;
    while (lo.length > this.minHead && lo[lo.length - 1]! >= v) {
      lo.pop();
      lo.pop();
    }
    lo.push(tsMs, v);
    const hi = this.maxQ;
    while (hi.length > this.maxHead && hi[hi.length - 1]! <= v) {
      hi.pop();
      hi.pop();
    }
    hi.push(tsMs, v);
    this.expire(tsMs);
  }

  /** Drops observations older than `nowMs − window`. */
  expire(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    const lo = this.minQ;
    const hi = this.maxQ;
    while (this.minHead < lo.length - 2 && lo[this.minHead]! < cutoff) this.minHead += 2;
    while (this.maxHead < hi.length - 2 && hi[this.maxHead]! < cutoff) this.maxHead += 2;
    // Compact once the dead prefix is half the array (amortised O(1) per push): the arrays stay
    // about twice the window's live entries, not 1024+ stale ones per series (memory per symbol).
    if (this.minHead >= 2 * COMPACT_MIN && this.minHead * 2 > lo.length) {
      lo.splice(0, this.minHead);
      this.minHead = 0;
    }
    if (this.maxHead >= 2 * COMPACT_MIN && this.maxHead * 2 > hi.length) {
      hi.splice(0, this.maxHead);
      this.maxHead = 0;
    }
  }

  /**
   * Drops the room that pushes reserved beyond the entries held (a first push reserves 17 slots):
   * for a symbol that trades now and then, called while it waits for its next trade (one of 100k
   * symbols trading a few times a day held ~1.5 KB of such slack across its windows and rings).
   */
  trim(): void {
    this.minQ = this.minQ.slice(this.minHead);
    this.minHead = 0;
    this.maxQ = this.maxQ.slice(this.maxHead);
    this.maxHead = 0;
  }

  get min(): number {
    return this.minQ.length > this.minHead ? this.minQ[this.minHead + 1]! : NaN;
  }
  get minAtMs(): number {
    return this.minQ.length > this.minHead ? this.minQ[this.minHead]! : NaN;
  }
  get max(): number {
    return this.maxQ.length > this.maxHead ? this.maxQ[this.maxHead + 1]! : NaN;
  }
  get maxAtMs(): number {
    return this.maxQ.length > this.maxHead ? this.maxQ[this.maxHead]! : NaN;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TimeExtremes);
