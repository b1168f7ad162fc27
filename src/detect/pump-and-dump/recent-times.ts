import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacity } from '../window/arrays.js';
import { columnCapacity, grownInt32 } from './columns.js';
import { Slab } from './slab.js';

/**
 * For every symbol slot (see Slots), the times of recent events (pump_and_dump: its rush seconds),
 * oldest first, dropped once before a cutoff: a queue of times in a block of a shared Slab,
 * compacted in place or moved to a larger block when full. Most symbols never have one: no block.
 */
export class RecentTimes {
  /** Per slot: the block's offset (−1: none) and capacity, and the times' [head, end) in it. */
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

  /** Times held. */
  size(slot: number): number {
    return this.end[slot]! - this.head[slot]!;
  }

  /** Appends a time (not before the newest held). */
  push(slot: number, tsMs: number): void {
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
    this.end[slot] = end + 1;
  }

  /** Drops the times before `cutoffMs`. */
  expire(slot: number, cutoffMs: number): void {
    const off = this.off[slot]!;
    const n = this.end[slot]!;
    const ts = this.slab.nums;
    let h = this.head[slot]!;
    while (h < n && ts[off + h]! < cutoffMs) h++;
    // Empty: start over at the block's start, no compaction.
    if (h === n) this.end[slot] = h = 0;
    this.head[slot] = h;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RecentTimes);
