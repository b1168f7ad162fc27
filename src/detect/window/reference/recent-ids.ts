import { stateClass } from '../../../engine/snapshot.js';

/** Dropped entries tolerated before compacting (a splice costs a call; tiny ones are not worth it). */
const COMPACT_MIN = 32;

/**
 * The ids of a symbol's recent trades with their times, oldest first, kept as alert evidence:
 * parallel arrays with a moving head (an entry costs two array slots, not an object with a boxed
 * time, and dropping the oldest is no shift), compacted once the dropped prefix is half of them.
 * The id strings are the trades' own (shared, not copied).
 */
export class RecentIds {
  private ts: number[] = [];
  private ids: string[] = [];
  private head = 0;

  /** Entries held. */
  get size(): number {
    return this.ts.length - this.head;
  }

  push(tsMs: number, id: string): void {
    this.ts.push(tsMs);
    this.ids.push(id);
  }

  /** Drops the oldest entries while they are before `cutoffMs` or more than `max` are held. */
  expire(cutoffMs: number, max: number): void {
    const n = this.ts.length;
    let h = this.head;
    while (h < n && (this.ts[h]! < cutoffMs || n - h > max)) h++;
    this.head = h;
    if (h >= COMPACT_MIN && h * 2 >= n) {
      this.ts.splice(0, h);
      this.ids.splice(0, h);
      this.head = 0;
    }
  }

  /**
   * Drops the room that pushes reserved beyond the entries held (a first push reserves 17 slots):
   * for a symbol that trades now and then, called while it waits for its next trade (one of 100k
   * symbols trading a few times a day held ~1.5 KB of such slack across its windows and rings).
   */
  trim(): void {
    this.ts = this.ts.slice(this.head);
    this.ids = this.ids.slice(this.head);
    this.head = 0;
  }

  /** All ids held, oldest first (a new array). */
  all(): string[] {
    return this.ids.slice(this.head);
  }

  /** Ids of the entries at or after `fromMs`, oldest first (a new array). */
  since(fromMs: number): string[] {
    const out: string[] = [];
    for (let i = this.head; i < this.ts.length; i++) if (this.ts[i]! >= fromMs) out.push(this.ids[i]!);
    return out;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RecentIds);
