import { compactsInPlace, grownCapacity } from '../window/arrays.js';
import { columnCapacity, grownInt32 } from './columns.js';
import { Slab, type SlabBlocks } from './slab.js';

/**
 * For every symbol slot (its id in pump_and_dump's `states`), one block of a shared Slab: its
 * offset (−1 while the slot has no block) and capacity, in two columns. What the block holds, and
 * how much of it, is the subclass's (SlotBlocks: a queue; RecentBuyers: a log of two periods).
 */
export abstract class SlotBlock {
  /** Per slot: the block's offset (−1: none) and capacity. */
  protected off = new Int32Array(0);
  protected cap = new Int32Array(0);

  constructor(protected readonly slab: Slab) {}

  /** The slots' blocks (for Slab.compact). */
  blocks(): SlabBlocks[] {
    return [{ off: this.off, cap: this.cap }];
  }

  /** Makes `slot` empty (a new symbol's), without a block. */
  add(slot: number): void {
    if (slot >= this.off.length) {
      const n = columnCapacity(this.off.length, slot);
      this.off = grownInt32(this.off, n);
      this.cap = grownInt32(this.cap, n);
    }
    this.off[slot] = -1;
    this.cap[slot] = 0;
  }

  /** Frees the slot's block (the symbol is dropped). */
  drop(slot: number): void {
    this.freeBlock(slot);
    this.add(slot);
  }

  /** Frees the slot's block, which holds nothing any more (the next entry takes a new one). */
  protected freeBlock(slot: number): void {
    if (this.cap[slot]! === 0) return;
    this.slab.free(this.off[slot]!, this.cap[slot]!);
    this.off[slot] = -1;
    this.cap[slot] = 0;
  }

  /** Moves numbers [from, to) of the slot's block to the start of a new block of at least `n` numbers (the old one freed). */
  protected moveBlock(slot: number, from: number, to: number, n: number): void {
    this.off[slot] = this.slab.regrow(this.off[slot]!, this.cap[slot]!, from, to, n);
    this.cap[slot] = Slab.capacity(n);
  }
}

/**
 * Moves numbers [from, to) of the slot's block in the columns `off`, `cap` to the start of a block
 * of `Slab.capacity(to − from + room)` when that is at most half its block; whether it did. Blocks
 * grow with the most a slot held at once (a burst), and once a quiet symbol's burst has left, what
 * it holds is a fraction of that (pump_and_dump's closes and lows held ~40% of their blocks). The
 * freed block goes back to the slab.
 */
export function shrinkBlock(slab: Slab, off: Int32Array, cap: Int32Array, slot: number, from: number, to: number, room: number): boolean {
  const want = Slab.capacity(to - from + room);
  if (2 * want > cap[slot]!) return false;
  off[slot] = slab.regrow(off[slot]!, cap[slot]!, from, to, want);
  cap[slot] = want;
  return true;
}

/**
 * For every symbol slot (its id in pump_and_dump's `states`), the slot's numbers as a queue in its
 * block (SlotBlock): [head, end) of the block at `off` (capacity `cap`; offset −1 while the slot has
 * no block). When a block is full, `makeRoom` compacts it in place or moves it to a larger one. What
 * the numbers mean is the subclass's (SlabQueues: one per entry; WindowMins: time and value pairs;
 * BucketLogs: entries of one to four numbers).
 */
export abstract class SlotBlocks extends SlotBlock {
  /** Per slot: the queue's [head, end) in its block. */
  protected head = new Int32Array(0);
  protected end = new Int32Array(0);

  /** Makes `slot` empty (a new symbol's). */
  override add(slot: number): void {
    if (slot >= this.head.length) {
      const n = columnCapacity(this.head.length, slot);
      this.head = grownInt32(this.head, n);
      this.end = grownInt32(this.end, n);
    }
    super.add(slot);
    this.head[slot] = this.end[slot] = 0;
  }

  /**
   * Frees the block of an emptied queue (the next entry takes a new one): most symbols of a wide
   * universe hold their recent ids, rush orders or rush seconds a few minutes a day, and a block
   * kept through the quiet rest of it was live memory for nothing.
   */
  protected emptied(slot: number): void {
    if (this.cap[slot]! === 0) return;
    this.freeBlock(slot);
    this.head[slot] = this.end[slot] = 0;
  }

  /** Moves the slot's live numbers [head, end) to the start of a smaller block, with room for `room` more, when that is at most half its block (see shrinkBlock). */
  trim(slot: number, room: number): void {
    const head = this.head[slot]!;
    const end = this.end[slot]!;
    if (!shrinkBlock(this.slab, this.off, this.cap, slot, head, end, room)) return;
    this.head[slot] = 0;
    this.end[slot] = end - head;
  }

  /**
   * Room for `width` more numbers after `end` (the queue's end as the caller has it): when the block
   * is full, its live numbers [head, end) move to the start of the block (head becomes 0) or to a
   * new block of `grown(cap, live + width)` numbers. Returns where the queue ends now; the block's
   * offset and the slab's arrays may have changed, so callers re-read `off[slot]` and `slab.nums`.
   */
  protected makeRoom(slot: number, end: number, width: number, grown = grownCapacity): number {
    const cap = this.cap[slot]!;
    if (end + width <= cap) return end;
    const head = this.head[slot]!;
    const live = end - head;
    if (compactsInPlace(cap, head, live, width)) this.slab.moveDown(this.off[slot]!, head, end);
    else this.moveBlock(slot, head, end, grown(cap, live + width));
    this.head[slot] = 0;
    return live;
  }
}
