import { stateClass } from '../../engine/snapshot.js';

/**
 * A min-heap of (deadline, item): what has something to do at or after a given event time. Lets
 * `onTime` visit only the symbols whose window has something to expire instead of walking every
 * symbol each tick, so the per-tick cost follows the work, not the number of idle symbols.
 *
 * Entries are never removed early: an owner that moves an item's deadline pushes it again and
 * ignores the entries that no longer match (lazy invalidation); popping an item early is the
 * owner's to tolerate (a visit that finds nothing to do must be harmless).
 */
export class DeadlineQueue<T> {
  private readonly dues: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.dues.length;
  }

  push(due: number, item: T): void {
    const dues = this.dues;
    const items = this.items;
    let i = dues.length;
    dues.push(due);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (dues[parent]! <= due) break;
      dues[i] = dues[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    dues[i] = due;
    items[i] = item;
  }

  /** The earliest deadline, or Infinity when empty. */
  peekDue(): number {
    return this.dues.length > 0 ? this.dues[0]! : Infinity;
  }

  /** Removes and returns the item with the earliest deadline (undefined when empty). */
  pop(): T | undefined {
    const dues = this.dues;
    const items = this.items;
    if (dues.length === 0) return undefined;
    const top = items[0];
    const lastDue = dues.pop()!;
    const lastItem = items.pop()!;
    const n = dues.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && dues[child + 1]! < dues[child]!) child++;
        if (dues[child]! >= lastDue) break;
        dues[i] = dues[child]!;
        items[i] = items[child]!;
        i = child;
      }
      dues[i] = lastDue;
      items[i] = lastItem;
    }
    return top;
  }
}

stateClass(DeadlineQueue);
