import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacity } from '../window/arrays.js';
import { columnCapacity, grownInt32 } from './columns.js';
import { Slab } from './slab.js';

/**
 * RecentIds (window/reference/recent-ids.ts) with the same ids, for every symbol slot (see Slots):
 * the ids of a symbol's recent trades with their times, oldest first, in a block of a shared Slab
 * made `withStrings` (time in the number, id in the string beside it), compacted in place or moved
 * to a larger block when full. A dropped entry's id is released at once.
 *
 * pump_and_dump also keeps the distinct buy orders (millisecond, buyer) of a symbol's current
 * second in one.
 */
export class TightIds {
  /** Per slot: the block's offset (−1: none) and capacity, and the entries' [head, end) in it. */
  private off = new Int32Array(0);
  private cap = new Int32Array(0);
  private head = new Int32Array(0);
  private end = new Int32Array(0);

  constructor(private readonly slab: Slab) {}

  /** Makes `slot` empty (a new symbol's). */
  add(slot: number): void {
    if (slot >= this.off.length) {
      const n = columnCapacity(this.off.length, slot);
      this.off = grownInt32(this.off, n);
      this.cap = grownInt32(this.cap, n);
      this.head = grownInt32(this.head, n);
      this.end = grownInt32(this.end, n);
    }
    this.off[slot] = -1;
    this.cap[slot] = this.head[slot] = this.end[slot] = 0;
  }

  /** Frees the slot's block (the symbol is dropped). */
  drop(slot: number): void {
    if (this.cap[slot]! > 0) this.slab.free(this.off[slot]!, this.cap[slot]!);
    this.add(slot);
  }

  /** Entries held. */
  size(slot: number): number {
    return this.end[slot]! - this.head[slot]!;
  }

  push(slot: number, tsMs: number, id: string): void {
    let end = this.end[slot]!;
    let off = this.off[slot]!;
    const cap = this.cap[slot]!;
    if (end === cap) {
      const head = this.head[slot]!;
      const live = end - head;
      if (compactsInPlace(cap, head, live, 1)) this.slab.moveDown(off, head, end);
      else {
        const need = grownCapacity(cap, live + 1);
        this.off[slot] = off = this.slab.regrow(off, cap, head, end, need);
        this.cap[slot] = Slab.capacity(need);
      }
      this.head[slot] = 0;
      end = live;
    }
    this.slab.nums[off + end] = tsMs;
    this.slab.strs![off + end] = id;
    this.end[slot] = end + 1;
  }

  /** Drops the oldest entries while they are before `cutoffMs` or more than `max` are held. */
  expire(slot: number, cutoffMs: number, max: number): void {
    const off = this.off[slot]!;
    const n = this.end[slot]!;
    const ts = this.slab.nums;
    const ids = this.slab.strs!;
    let h = this.head[slot]!;
    while (h < n && (ts[off + h]! < cutoffMs || n - h > max)) ids[off + h++] = '';
    // Empty (a symbol back after a quiet spell): start over at the block's start, no compaction.
    if (h === n) this.end[slot] = h = 0;
    this.head[slot] = h;
  }

  /** Whether an entry (tsMs, id) is held. */
  has(slot: number, tsMs: number, id: string): boolean {
    const off = this.off[slot]!;
    const ts = this.slab.nums;
    const ids = this.slab.strs!;
    for (let i = off + this.head[slot]!; i < off + this.end[slot]!; i++) if (ts[i] === tsMs && ids[i] === id) return true;
    return false;
  }

  /** Drops every entry (the block is kept for the next ones). */
  clear(slot: number): void {
    this.expire(slot, Infinity, 0);
  }

  /** All ids held, oldest first (a new array). */
  all(slot: number): string[] {
    const off = this.off[slot]!;
    return this.slab.strs!.slice(off + this.head[slot]!, off + this.end[slot]!);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TightIds);
