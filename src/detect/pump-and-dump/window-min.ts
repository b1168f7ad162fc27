import { stateClass } from '../../engine/snapshot.js';
import type { Slab } from './slab.js';
import { SlotBlocks } from './slot-blocks.js';

/**
 * The minimum of a value over a sliding event-time window, and its time, for every symbol slot (its id
 * in pump_and_dump's `states`): per slot the minimum's half of TimeExtremes (window/reference/time-extremes.ts, tested
 * against it), the same values. pump_and_dump reads only the window's low.
 *
 * Per slot a monotonic deque of (time, value) pairs, values ascending, in a block of a shared Slab
 * (compacted in place or moved to a larger block when full): a symbol trading a few times a day
 * holds a pair or two in two to four numbers, and no object or array of its own.
 */
export class WindowMins extends SlotBlocks {
  constructor(
    slab: Slab,
    private readonly windowMs: number,
  ) {
    super(slab);
  }

  /** Adds an observation at `tsMs` and drops those older than the window (never the newest). */
  push(slot: number, tsMs: number, v: number): void {
    const cutoff = tsMs - this.windowMs;
    let end = this.end[slot]!;
    // Drop the tail values ≥ v (they can no longer be the minimum), append, expire from the head.
    const before = this.slab.nums;
    const at = this.off[slot]!;
    while (end > this.head[slot]! && before[at + end - 1]! >= v) end -= 2;
    end = this.makeRoom(slot, end, 2);
    const q = this.slab.nums;
    const off = this.off[slot]!;
    let head = this.head[slot]!;
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
