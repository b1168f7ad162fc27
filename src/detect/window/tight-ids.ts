import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacity, moveDownNumbers, moveDownStrings, regrowNumbers, regrowStrings } from './arrays.js';

/** What a log holds before its first push, shared: never written (a push gives it arrays of its own). */
const NO_TIMES: number[] = [];
const NO_IDS: string[] = [];

/**
 * RecentIds (window/reference/recent-ids.ts) with the same ids, for a universe of mostly sparse symbols: the
 * ids of a symbol's recent trades with their times, oldest first, in parallel arrays of explicit
 * capacity (window/arrays.ts) compacted in place. A dropped entry's id is released at once: a
 * dropped prefix of up to 32 entries kept as many trade id strings alive per symbol.
 */
export class TightIds {
  private ts: number[] = NO_TIMES;
  private ids: string[] = NO_IDS;
  private head = 0;
  private end = 0;

  /** Entries held. */
  get size(): number {
    return this.end - this.head;
  }

  push(tsMs: number, id: string): void {
    let end = this.end;
    if (end === this.ts.length) {
      const head = this.head;
      const live = end - head;
      if (compactsInPlace(this.ts.length, head, live, 1)) {
        moveDownNumbers(this.ts, head, end);
        moveDownStrings(this.ids, head, end);
        for (let i = live; i < end; i++) this.ids[i] = '';
      } else {
        const capacity = grownCapacity(this.ts.length, live + 1);
        this.ts = regrowNumbers(this.ts, head, end, capacity);
        this.ids = regrowStrings(this.ids, head, end, capacity);
      }
      this.head = 0;
      end = live;
    }
    this.ts[end] = tsMs;
    this.ids[end] = id;
    this.end = end + 1;
  }

  /** Drops the oldest entries while they are before `cutoffMs` or more than `max` are held. */
  expire(cutoffMs: number, max: number): void {
    const n = this.end;
    let h = this.head;
    while (h < n && (this.ts[h]! < cutoffMs || n - h > max)) this.ids[h++] = '';
    // Empty (a symbol back after a quiet spell): start over at the arrays' start, no compaction.
    if (h === n) this.end = h = 0;
    this.head = h;
  }

  /** All ids held, oldest first (a new array). */
  all(): string[] {
    return this.ids.slice(this.head, this.end);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TightIds);
