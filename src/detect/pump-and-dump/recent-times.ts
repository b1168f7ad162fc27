import { stateClass } from '../../engine/snapshot.js';
import { SlabQueues } from './slab-queues.js';

/**
 * For every symbol slot (its id in pump_and_dump's `states`), the times of recent events (pump_and_dump: its rush seconds),
 * oldest first, dropped once before a cutoff: a queue of times in a block of a shared Slab,
 * compacted in place or moved to a larger block when full, freed when emptied. Most symbols never have one: no block.
 */
export class RecentTimes extends SlabQueues {
  /** Appends a time (not before the newest held). */
  push(slot: number, tsMs: number): void {
    this.slab.nums[this.append(slot)] = tsMs;
  }

  /** Drops the times before `cutoffMs`. */
  expire(slot: number, cutoffMs: number): void {
    const off = this.off[slot]!;
    const n = this.end[slot]!;
    const ts = this.slab.nums;
    let h = this.head[slot]!;
    while (h < n && ts[off + h]! < cutoffMs) h++;
    this.head[slot] = h;
    if (h === n) this.emptied(slot);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RecentTimes);
