import { stateClass } from '../../engine/snapshot.js';
import { medianInPlace, scratchOf } from './select.js';
import { grown } from './value-ring.js';

/**
 * A sliding window of the last `capacity` values pushed, whose median is computed when asked
 * (selection, window/select.ts: the same value a sort gives) and may be asked for a window that
 * ended a little earlier: "the median as of push number `at`" stays answerable until `capacity`
 * more values have been pushed since (the ring keeps twice the window). So a statistic taken at
 * an event (price_anomaly's typical tick move, at every short-window close) can be computed only
 * if and when it is read, with the value computing it at the event would have given; RobustRing
 * instead keeps a sorted copy current on every push.
 */
export class SampleRing {
  /** Push number i is in slot i % (2 × capacity). */
  private values: number[] = [];
  private count = 0;

  constructor(readonly capacity: number) {}

  push(v: number): void {
    const slots = 2 * this.capacity;
    const c = this.count;
    if (c < slots) {
      // Grown a little at a time (ValueRing's growth), not by pushes (17 slots at the first).
      if (c === this.values.length) this.values = grown(this.values, c, slots);
      this.values[c] = v;
    } else this.values[c % slots] = v;
    this.count = c + 1;
  }

  /** Drops the room reserved beyond the values held, for a symbol waiting for its next trade (window/reference/recent-ids.ts). */
  trim(): void {
    if (this.count < this.values.length) this.values = this.values.slice(0, this.count);
  }

  /** Values pushed so far. */
  get pushed(): number {
    return this.count;
  }

  /** How many values the window held when `at` values had been pushed. */
  sizeAt(at: number): number {
    return Math.min(this.capacity, at);
  }

  /**
   * Median of the window as it was when `at` values had been pushed (NaN if empty then); needs
   * `at` ≥ pushed − capacity (checked). Values must not be NaN.
   */
  medianAt(at: number): number {
    if (at < this.count - this.capacity || at > this.count) throw new Error(`window at ${at} is no longer held (${this.count} pushed)`);
    const n = this.sizeAt(at);
    const slots = 2 * this.capacity;
    const gathered = scratchOf(n);
    for (let i = 0; i < n; i++) gathered[i] = this.values[(at - n + i) % slots]!;
    return medianInPlace(gathered, n);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(SampleRing);
