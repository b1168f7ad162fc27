import { compactsInPlace, grownCapacity } from '../window/arrays.js';
import { columnCapacity, grownInt32 } from './columns.js';
import { Slab } from './slab.js';

/**
 * For every symbol slot (see Slots), a queue of entries oldest first in a block of a shared Slab:
 * [head, end) of the block at `off` (capacity `cap`; offset −1 while the slot has no block),
 * compacted in place or moved to a larger block when full. What an entry holds is the subclass's
 * (RecentTimes: a time; TightIds: a time and an id).
 */
export abstract class SlabQueues {
  /** Per slot: the block's offset (−1: none) and capacity, and the entries' [head, end) in it. */
  protected off = new Int32Array(0);
  protected cap = new Int32Array(0);
  protected head = new Int32Array(0);
  protected end = new Int32Array(0);

  constructor(protected readonly slab: Slab) {}

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

  /** Counts one more entry of `slot` as held and returns where it goes in the slab's arrays (room made first). */
  protected append(slot: number): number {
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
    this.end[slot] = end + 1;
    return off + end;
  }
}
