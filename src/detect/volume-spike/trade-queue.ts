import { stateClass } from '../../engine/snapshot.js';
import { SlotQueues } from '../window/slot-queues.js';

/**
 * The trades of each symbol's longest volume window, oldest first, by symbol slot: times and sizes
 * (read per trade, to move the windows) and ids and accounts (read only for an alert's evidence).
 * Trades are numbered per symbol from 0 in arrival order (the windows' heads are trade numbers).
 * Trade objects are not kept: on a dense symbol they would all outlive the young generation (more
 * GC work) for the few fields read. The records live in shared storage (window/slot-queues.ts).
 */
export class TradeQueues extends SlotQueues {
  constructor() {
    // Numbers: time, size. Strings: id, buyer, seller.
    super(2, 3);
  }

  push(slot: number, tsMs: number, qty: number, id: string, buyer: string, seller: string): void {
    const p = this.append(slot);
    this.nums[2 * p] = tsMs;
    this.nums[2 * p + 1] = qty;
    this.strs[3 * p] = id;
    this.strs[3 * p + 1] = buyer;
    this.strs[3 * p + 2] = seller;
  }

  /** Trade i's fields (i held: first ≤ i < next). */
  tsMs(slot: number, i: number): number {
    return this.nums[2 * this.at(slot, i)]!;
  }
  qty(slot: number, i: number): number {
    return this.nums[2 * this.at(slot, i) + 1]!;
  }
  id(slot: number, i: number): string {
    return this.strs[3 * this.at(slot, i)]!;
  }
  buyer(slot: number, i: number): string {
    return this.strs[3 * this.at(slot, i) + 1]!;
  }
  seller(slot: number, i: number): string {
    return this.strs[3 * this.at(slot, i) + 2]!;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TradeQueues);
