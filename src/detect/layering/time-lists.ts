import { stateClass } from '../../engine/snapshot.js';
import { grownI32 } from '../window/pool-chunks.js';
import { SlotQueues } from '../window/slot-queues.js';

/**
 * Many short lists of times (layering's recent `new` orders of each account and side), each a slot
 * of one SlotQueues (window/slot-queues.ts): a list is a small integer held by its owner, its times
 * a ring in typed storage shared by all lists (outside the young generation: the times live a
 * minute of event time, and as arrays of their own every scavenge copied them), its bookkeeping a
 * few ints in a column, so reading a list's length or oldest time touches no object.
 *
 * Times are pushed in event order, so a list is nearly always ascending, and while it is,
 * `anyWithin` is a binary search: a market maker's list holds hundreds of times, and the requote
 * test asks it once per pulled layer. Each list remembers the number of its latest time that did
 * not follow the one before it in order; once that time has been dropped, the list is ascending.
 */
export class TimeLists {
  private readonly q = new SlotQueues(1, 0);
  /**
   * Per list: the number (SlotQueues numbering) of its latest time below the time before it (or
   * either one NaN), 0 when none: the times from that one on are ascending.
   */
  private descent = new Int32Array(0);
  /** Closed lists, handed out again. */
  private readonly free: number[] = [];
  /** Lists handed out so far. */
  private opened = 0;

  /** A new empty list. */
  open(): number {
    const list = this.free.length > 0 ? this.free.pop()! : this.opened++;
    this.q.open(list);
    this.descent = grownI32(this.descent, list + 1, 1);
    this.descent[list] = 0;
    return list;
  }

  /** Forgets the list: its number may be handed out again. */
  close(list: number): void {
    this.q.close(list);
    this.free.push(list);
  }

  length(list: number): number {
    return this.q.next(list) - this.q.first(list);
  }

  /** The oldest time of a non-empty list. */
  first(list: number): number {
    const q = this.q;
    return q.nums[q.at(list, q.first(list))]!;
  }

  /** The latest time of a non-empty list. */
  last(list: number): number {
    const q = this.q;
    return q.nums[q.at(list, q.next(list) - 1)]!;
  }

  /** Appends `t` to the end of `list`. */
  push(list: number, t: number): void {
    const q = this.q;
    const n = q.next(list);
    if (n > q.first(list) && !(t >= q.nums[q.at(list, n - 1)]!)) this.descent[list] = n;
    const p = q.append(list); // may grow q.nums: read it after
    q.nums[p] = t;
  }

  /** Drops the oldest time of a non-empty list. */
  shift(list: number): void {
    this.q.dropBefore(list, this.q.first(list) + 1);
  }

  /** Empties the list. */
  clear(list: number): void {
    this.q.dropBefore(list, this.q.next(list));
  }

  /** Whether a time of the list lies in [from, from + spanMs] (`t >= from && t - from <= spanMs`). */
  anyWithin(list: number, from: number, spanMs: number): boolean {
    const q = this.q;
    const first = q.first(list);
    const end = q.next(list);
    if (this.descent[list]! <= first) {
      // Ascending: only the earliest time ≥ from can pass, as t − from grows with t.
      let lo = first;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (q.nums[q.at(list, mid)]! < from) lo = mid + 1;
        else hi = mid;
      }
      if (lo === end) return false;
      const t = q.nums[q.at(list, lo)]!;
      return t >= from && t - from <= spanMs;
    }
    for (let i = first; i < end; i++) {
      const t = q.nums[q.at(list, i)]!;
      if (t >= from && t - from <= spanMs) return true;
    }
    return false;
  }

  /** The list's times, oldest first (tests). */
  toArray(list: number): number[] {
    const q = this.q;
    const out: number[] = [];
    for (let i = q.first(list); i < q.next(list); i++) out.push(q.nums[q.at(list, i)]!);
    return out;
  }
}
stateClass(TimeLists, 'layering.TimeLists');
