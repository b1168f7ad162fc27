import { stateClass } from '../../engine/snapshot.js';

/**
 * Keys by deadline (a binary min-heap on event time): what `onTime` has to look at now, without
 * walking every symbol on every tick. The owner keeps, per key, the deadline it last queued, and
 * treats a popped entry as a prompt to re-check the key's real state (expire it, or queue it again
 * at its new deadline); entries made stale by later activity are simply skipped. So a key may be
 * queued more than once, but each key's earliest queued deadline is never later than its real one.
 */
export class DeadlineQueue {
  private readonly due: number[] = [];
  private readonly keys: string[] = [];

  get size(): number {
    return this.due.length;
  }

  push(due: number, key: string): void {
    const d = this.due;
    const k = this.keys;
    let i = d.length;
    d.push(due);
    k.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (d[parent]! <= due) break;
      d[i] = d[parent]!;
      k[i] = k[parent]!;
      i = parent;
    }
    d[i] = due;
    k[i] = key;
  }

  /** Removes and returns the keys (with their queued deadlines) due strictly before `nowMs`, earliest first. */
  popBefore(nowMs: number, out: { due: number[]; keys: string[] }): void {
    while (this.due.length > 0 && this.due[0]! < nowMs) {
      out.due.push(this.due[0]!);
      out.keys.push(this.keys[0]!);
      this.removeTop();
    }
  }

  private removeTop(): void {
    const d = this.due;
    const k = this.keys;
    const lastDue = d.pop()!;
    const lastKey = k.pop()!;
    const n = d.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && d[r]! < d[l]! ? r : l;
      if (d[c]! >= lastDue) break;
      d[i] = d[c]!;
      k[i] = k[c]!;
      i = c;
    }
    d[i] = lastDue;
    k[i] = lastKey;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(DeadlineQueue);
