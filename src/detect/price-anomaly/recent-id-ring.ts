import { stateClass } from '../../engine/snapshot.js';
import { SlotQueues } from '../window/slot-queues.js';

/**
 * The ids of each symbol's recent trades with their times, oldest first, by symbol slot:
 * `RecentIds` (window/reference/recent-ids.ts) with the same answers, the entries in shared storage
 * (window/slot-queues.ts) instead of two arrays per symbol. The id strings are the trades' own.
 */
export class RecentIdRings extends SlotQueues {
  constructor() {
    // Number: time. String: id.
    super(1, 1);
  }

  size(slot: number): number {
    return this.next(slot) - this.first(slot);
  }

  push(slot: number, tsMs: number, id: string): void {
    const p = this.append(slot);
    this.nums[p] = tsMs;
    this.strs[p] = id;
  }

  /** Drops the oldest entries while they are before `cutoffMs` or more than `max` are held. */
  expire(slot: number, cutoffMs: number, max: number): void {
    const n = this.next(slot);
    let f = this.first(slot);
    while (f < n && (this.nums[this.at(slot, f)]! < cutoffMs || n - f > max)) f++;
    this.dropBefore(slot, f);
  }

  /** Ids of the entries at or after `fromMs`, oldest first (a new array). */
  since(slot: number, fromMs: number): string[] {
    const out: string[] = [];
    for (let i = this.first(slot); i < this.next(slot); i++) {
      const p = this.at(slot, i);
      if (this.nums[p]! >= fromMs) out.push(this.strs[p]!);
    }
    return out;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RecentIdRings);
