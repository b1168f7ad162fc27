/** A timed action of one symbol's market. */
interface Action {
  readonly tsMs: number;
  readonly seq: number;
  readonly run: () => void;
}

/**
 * A min-heap of timed actions ordered by (time, insertion order), so actions at the same
 * millisecond run in the order they were scheduled and the simulation stays deterministic.
 */
export class ActionQueue {
  private readonly heap: Action[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `run` at `tsMs`. */
  push(tsMs: number, run: () => void): void {
    const a: Action = { tsMs, seq: this.seq++, run };
    const h = this.heap;
    h.push(a);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = a;
  }

  /** Time of the earliest action (Infinity when empty). */
  peekTs(): number {
    return this.heap.length > 0 ? this.heap[0]!.tsMs : Infinity;
  }

  /** Removes and returns the earliest action. */
  pop(): Action | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r]!, h[l]!) ? r : l;
        if (!less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function less(a: Action, b: Action): boolean {
  return a.tsMs < b.tsMs || (a.tsMs === b.tsMs && a.seq < b.seq);
}
