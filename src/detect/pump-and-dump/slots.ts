import { stateClass } from '../../engine/snapshot.js';

/**
 * Dense small numbers for the symbols held, reused once a symbol is dropped: the row of a symbol in
 * column tables (columns.ts) and pooled rings (slab.ts), so those stay as long as the most symbols
 * held at once, not all ever seen.
 */
export class Slots {
  private next = 0;
  /** Released slots, reused last-released first. */
  private readonly free: number[] = [];

  take(): number {
    return this.free.length > 0 ? this.free.pop()! : this.next++;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  /** Slots handed out so far (the columns' length needed): one past the highest. */
  get highWater(): number {
    return this.next;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(Slots);
