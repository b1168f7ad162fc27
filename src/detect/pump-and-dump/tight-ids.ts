import { stateClass } from '../../engine/snapshot.js';
import { SlabQueues } from './slab-queues.js';

/**
 * RecentIds (window/reference/recent-ids.ts) with the same ids, for every symbol slot (its id in pump_and_dump's `states`):
 * the ids of a symbol's recent trades with their times, oldest first, in a block of a shared Slab
 * made `withStrings` (time in the number, id in the string beside it), compacted in place or moved
 * to a larger block when full. A dropped entry's id is released at once.
 *
 * pump_and_dump also keeps the distinct buy orders (millisecond, buyer) of a symbol's current
 * second in one.
 */
export class TightIds extends SlabQueues {
  /** Appends an entry (not before the newest held). */
  push(slot: number, tsMs: number, id: string): void {
    const at = this.append(slot);
    this.slab.nums[at] = tsMs;
    this.slab.strs![at] = id;
  }

  /** Drops the oldest entries while they are before `cutoffMs` or more than `max` are held. */
  expire(slot: number, cutoffMs: number, max: number): void {
    const off = this.off[slot]!;
    const n = this.end[slot]!;
    const ts = this.slab.nums;
    const ids = this.slab.strs!;
    let h = this.head[slot]!;
    while (h < n && (ts[off + h]! < cutoffMs || n - h > max)) ids[off + h++] = '';
    this.head[slot] = h;
    if (h === n) this.emptied(slot);
  }

  /** Whether an entry (tsMs, id) is held. */
  has(slot: number, tsMs: number, id: string): boolean {
    const off = this.off[slot]!;
    const ts = this.slab.nums;
    const ids = this.slab.strs!;
    for (let i = off + this.head[slot]!; i < off + this.end[slot]!; i++) if (ts[i] === tsMs && ids[i] === id) return true;
    return false;
  }

  /**
   * Drops every entry, keeping the block for the next ones: the rush orders of a second are
   * cleared at each new second, on a liquid symbol nearly every trade (a block freed and taken
   * again per trade cost more than the block).
   */
  clear(slot: number): void {
    const off = this.off[slot]!;
    const ids = this.slab.strs!;
    for (let i = off + this.head[slot]!; i < off + this.end[slot]!; i++) ids[i] = '';
    this.head[slot] = this.end[slot] = 0;
  }

  /** All ids held, oldest first (a new array). */
  all(slot: number): string[] {
    const off = this.off[slot]!;
    return this.slab.strs!.slice(off + this.head[slot]!, off + this.end[slot]!);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TightIds);
