import { stateClass } from '../../engine/snapshot.js';

/**
 * Items ordered by a deadline (a binary min-heap on event time): state that expires is queued under
 * the time its expiry is due, and `onTime` pops only what is due instead of walking every symbol,
 * account or order on every tick — the per-tick cost follows what expires, not what exists.
 *
 * Callers queue lazily: entries are never removed early; an owner that moves an item's deadline
 * pushes it again and, when an entry is popped, checks the item's current state (expire it, queue it
 * again at its new deadline, or skip a stale entry). A visit that finds nothing to do is harmless.
 * Equal deadlines pop in a fixed order (the heap's), so replays are deterministic.
 */
export class DeadlineQueue<T> {
  private readonly dues: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.dues.length;
  }

  /** The earliest deadline queued (Infinity when empty). */
  peek(): number {
    return this.dues.length > 0 ? this.dues[0]! : Infinity;
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

  /** Moves the items due strictly before `nowMs` (with their queued deadlines) into `out`, earliest first. */
  popBefore(nowMs: number, out: { due: number[]; keys: T[] }): void {
    while (this.dues.length > 0 && this.dues[0]! < nowMs) {
      out.due.push(this.dues[0]!);
      out.keys.push(this.pop()!);
    }
  }

  /**
   * Pops every item whose deadline satisfies `isDue` (a test monotone in time: if a deadline is due,
   * every earlier one is), earliest first, with the deadline it was queued under.
   */
  takeDue(isDue: (due: number) => boolean): { time: number; item: T }[] {
    const out: { time: number; item: T }[] = [];
    while (this.dues.length > 0 && isDue(this.dues[0]!)) {
      const time = this.dues[0]!;
      out.push({ time, item: this.pop()! });
    }
    return out;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(DeadlineQueue);
