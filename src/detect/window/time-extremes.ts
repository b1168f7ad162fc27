import { stateClass } from '../../engine/snapshot.js';

/**
 * Dead entries tolerated before compacting (a splice costs a call; tiny ones are not worth it). Small:
 * a deque usually holds a few live entries, and a larger dead prefix kept every deque of every
 * symbol at 40+ slots (four deques per series, several series per symbol: ~1.3 KB per symbol).
 */
const COMPACT_MIN = 4;

/**
 * Minimum and maximum of a value over a sliding event-time window, amortised O(1) per update
 * (monotonic deques). Used for "how far has the price moved within the last N minutes".
 */
export class TimeExtremes {
  private readonly minTs: number[] = [];
  private readonly minV: number[] = [];
  private minHead = 0;
  private readonly maxTs: number[] = [];
  private readonly maxV: number[] = [];
  private maxHead = 0;

  constructor(private readonly windowMs: number) {}

  /** Adds an observation at `tsMs` and drops those older than the window. */
  push(tsMs: number, v: number): void {
    while (this.minV.length > this.minHead && this.minV[this.minV.length - 1]! >= v) {
      this.minV.pop();
      this.minTs.pop();
    }
    this.minV.push(v);
    this.minTs.push(tsMs);
    while (this.maxV.length > this.maxHead && this.maxV[this.maxV.length - 1]! <= v) {
      this.maxV.pop();
      this.maxTs.pop();
    }
    this.maxV.push(v);
    this.maxTs.push(tsMs);
    this.expire(tsMs);
  }

  /** Drops observations older than `nowMs − window`. */
  expire(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    while (this.minHead < this.minTs.length - 1 && this.minTs[this.minHead]! < cutoff) this.minHead++;
    while (this.maxHead < this.maxTs.length - 1 && this.maxTs[this.maxHead]! < cutoff) this.maxHead++;
    // Compact once the dead prefix is half the arrays (amortised O(1) per push): the arrays stay
    // about twice the window's live entries, not 1024+ stale ones per series (memory per symbol).
    if (this.minHead >= COMPACT_MIN && this.minHead * 2 > this.minTs.length) {
      this.minTs.splice(0, this.minHead);
      this.minV.splice(0, this.minHead);
      this.minHead = 0;
    }
    if (this.maxHead >= COMPACT_MIN && this.maxHead * 2 > this.maxTs.length) {
      this.maxTs.splice(0, this.maxHead);
      this.maxV.splice(0, this.maxHead);
      this.maxHead = 0;
    }
  }

  get min(): number {
    return this.minV.length > this.minHead ? this.minV[this.minHead]! : NaN;
  }
  get minAtMs(): number {
    return this.minTs.length > this.minHead ? this.minTs[this.minHead]! : NaN;
  }
  get max(): number {
    return this.maxV.length > this.maxHead ? this.maxV[this.maxHead]! : NaN;
  }
  get maxAtMs(): number {
    return this.maxTs.length > this.maxHead ? this.maxTs[this.maxHead]! : NaN;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TimeExtremes);
