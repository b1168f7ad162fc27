import { SlotBlocks } from './slot-blocks.js';

/**
 * Per symbol slot, a queue of entries of one number each (and, in a Slab made `withStrings`, the
 * string beside it), oldest first: RecentTimes, TightIds.
 */
export abstract class SlabQueues extends SlotBlocks {
  /** Entries held. */
  size(slot: number): number {
    return this.end[slot]! - this.head[slot]!;
  }

  /** Counts one more entry of `slot` as held and returns where it goes in the slab's arrays (room made first). */
  protected append(slot: number): number {
    const end = this.makeRoom(slot, this.end[slot]!, 1);
    this.end[slot] = end + 1;
    return this.off[slot]! + end;
  }
}
