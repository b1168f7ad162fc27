import { stateClass } from '../../engine/snapshot.js';

/**
 * Items ordered by a time (a binary min-heap): state that expires is queued under the time its
 * expiry is measured from, and `onTime` pops only what is due instead of walking every symbol,
 * account or order on every tick — the cost follows what expires, not what exists.
 *
 * Callers queue lazily: an entry may outlive what it points to or carry a time that has since
 * moved on; when popped, the caller checks the item's current state and re-queues it if needed.
 */
export class DeadlineQueue<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.times.length;
  }

  /** The earliest time queued (Infinity when empty). */
  peek(): number {
    return this.times.length > 0 ? this.times[0]! : Infinity;
  }

  push(time: number, item: T): void {
    const times = this.times;
    const items = this.items;
    let i = times.length;
    times.push(time);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      times[i] = times[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    times[i] = time;
    items[i] = item;
  }

  /** Removes and returns the item with the earliest time (undefined when empty). */
  pop(): T | undefined {
    const times = this.times;
    const items = this.items;
    if (times.length === 0) return undefined;
    const top = items[0];
    const lastTime = times.pop()!;
    const lastItem = items.pop()!;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && times[child + 1]! < times[child]!) child++;
        if (times[child]! >= lastTime) break;
        times[i] = times[child]!;
        items[i] = items[child]!;
        i = child;
      }
      times[i] = lastTime;
      items[i] = lastItem;
    }
    return top;
  }

  /**
   * Pops every item whose time satisfies `isDue` (a test monotone in time: if a time is due, every
   * earlier one is), earliest first, with the time it was queued under.
   */
  takeDue(isDue: (time: number) => boolean): { time: number; item: T }[] {
    const out: { time: number; item: T }[] = [];
    while (this.times.length > 0 && isDue(this.times[0]!)) {
      const time = this.times[0]!;
      out.push({ time, item: this.pop()! });
    }
    return out;
  }
}
stateClass(DeadlineQueue, 'order-book.DeadlineQueue');
