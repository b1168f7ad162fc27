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

/** Per-key state that is forgotten after a time without activity, queued under `due`. */
export interface IdleExpiring {
  /** The deadline this key is queued under (an entry with another deadline is stale). */
  due: number;
  lastTsMs: number;
}

/**
 * Forgets the keys idle for more than `idleMs` at `nowMs`, looking only at those whose deadline
 * passed; a key active since is queued again at its new deadline (never before `nowMs`, so the
 * loop ends). The outcome does not depend on the order keys are visited in.
 */
export function forgetIdle<S extends IdleExpiring>(
  queue: DeadlineQueue<string>,
  states: Map<string, S>,
  nowMs: number,
  idleMs: number,
): void {
  while (queue.peek() < nowMs) {
    const due = queue.peek();
    const key = queue.pop()!;
    const s = states.get(key);
    if (!s || s.due !== due) continue; // stale entry
    if (nowMs - s.lastTsMs > idleMs) states.delete(key);
    else {
      s.due = s.lastTsMs + idleMs;
      queue.push(s.due, key);
    }
  }
}

/**
 * Visits the items due before `nowMs` that are still queued under their own `due` (an entry with
 * another deadline was superseded, or its item dropped), marking each taken (`due` = Infinity)
 * first: `visit` queues it again if it still has something to expire.
 */
export function visitDue<S extends { due: number }>(queue: DeadlineQueue<S>, nowMs: number, visit: (s: S) => void): void {
  while (queue.peek() < nowMs) {
    const due = queue.peek();
    const s = queue.pop()!;
    if (due !== s.due) continue;
    s.due = Infinity;
    visit(s);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(DeadlineQueue);
