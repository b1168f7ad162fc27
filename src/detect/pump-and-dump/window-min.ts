import { stateClass } from '../../engine/snapshot.js';
import { compactsInPlace, grownCapacity } from '../window/arrays.js';
import { columnCapacity, grownInt32 } from './columns.js';
import { Slab } from './slab.js';

/**
 * The minimum of a value over a sliding event-time window, and its time, for every symbol slot (see
 * Slots): per slot the minimum's half of TimeExtremes (window/reference/time-extremes.ts, tested
 * against it), the same values. pump_and_dump reads only the window's low.
 *
 * Per slot a monotonic deque of (time, value) pairs, values ascending, in a block of a shared Slab
 * (compacted in place or moved to a larger block when full): a symbol trading a few times a day
 * holds a pair or two in two to four numbers, and no object or array of its own.
 */
export class WindowMins {
  /** Per slot: the block's offset in the slab (−1: none yet) and capacity, and the deque's [head, end) in it. */
  private off = new Int32Array(0);
  private cap = new Int32Array(0);
  private head = new Int32Array(0);
  private end = new Int32Array(0);

  constructor(
    private readonly slab: Slab,
    private readonly windowMs: number,
  ) {}

  /** Makes `slot` an empty window (a new symbol's). */
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

  /** Adds an observation at `tsMs` and drops those older than the window (never the newest). */
  push(slot: number, tsMs: number, v: number): void {
    const cutoff = tsMs - this.windowMs;
    let off = this.off[slot]!;
    let q = this.slab.nums;
    let head = this.head[slot]!;
    let end = this.end[slot]!;
    // Drop the tail values ≥ v (they can no longer be the minimum), append, expire from the head.
    while (end > head && q[off + end - 1]! >= v) end -= 2;
    const cap = this.cap[slot]!;
    if (end + 2 > cap) {
      const live = end - head;
      if (compactsInPlace(cap, head, live, 2)) this.slab.moveDown(off, head, end);
      else {
        const need = grownCapacity(cap, live + 2);
        this.off[slot] = off = this.slab.regrow(off, cap, head, end, need);
        this.cap[slot] = Slab.capacity(need);
        q = this.slab.nums;
      }
      head = 0;
      end = live;
    }
    q[off + end] = tsMs;
    q[off + end + 1] = v;
    end += 2;
    while (head < end - 2 && q[off + head]! < cutoff) head += 2;
    this.head[slot] = head;
    this.end[slot] = end;
  }

  /** The window's minimum (NaN before the first push). */
  min(slot: number): number {
    const head = this.head[slot]!;
    return this.end[slot]! > head ? this.slab.nums[this.off[slot]! + head + 1]! : NaN;
  }

  /** When the minimum was pushed (the earliest of equal values still held: as TimeExtremes). */
  minAtMs(slot: number): number {
    const head = this.head[slot]!;
    return this.end[slot]! > head ? this.slab.nums[this.off[slot]! + head]! : NaN;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(WindowMins);
