import { stateClass } from '../../engine/snapshot.js';

/**
 * Items by deadline (a binary min-heap), so a tick finds what is due in O(due · log n) instead of
 * walking every symbol. Ties keep no particular order: callers that emit sort what they pop.
 */
export class DeadlineHeap<T> {
  private readonly at: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.at.length;
  }

  /** The earliest deadline (Infinity when empty). */
  peek(): number {
    return this.at.length > 0 ? this.at[0]! : Infinity;
  }

  push(at: number, item: T): void {
    const a = this.at;
    const items = this.items;
    let i = a.length;
    a.push(at);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= at) break;
      a[i] = a[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    a[i] = at;
    items[i] = item;
  }

  /** Removes and returns the item with the earliest deadline. */
  pop(): T | undefined {
    const a = this.at;
    const items = this.items;
    if (a.length === 0) return undefined;
    const top = items[0];
    const lastAt = a.pop()!;
    const lastItem = items.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && a[child + 1]! < a[child]!) child++;
        if (a[child]! >= lastAt) break;
        a[i] = a[child]!;
        items[i] = items[child]!;
        i = child;
      }
      a[i] = lastAt;
      items[i] = lastItem;
    }
    return top;
  }
}

stateClass(DeadlineHeap);
