import { grown } from '../../engine/grown.js';
import { stateClass } from '../../engine/snapshot.js';

/**
 * Many short lists of times (layering's recent `new` orders of each account and side) in one pool
 * of typed columns: a list is a chain of slots, oldest first, held by its owner as a `TimeList`
 * (head, tail, length: small integers). Appending and dropping from the front are O(1) and free
 * slots are reused. As plain arrays, each list was an array plus a growing backing store of its
 * own, most of it still alive when a scavenge came (the times live a minute of event time), so
 * every scavenge copied them; here the times sit in one typed array outside the young generation.
 */
export class TimeChains {
  private ts = new Float64Array(256);
  private next = new Int32Array(256);
  /** First free slot (a chain through `next`), −1 when none. */
  private freeHead = -1;
  /** Slots handed out so far (the columns' used length). */
  private used = 0;

  /** Appends `t` to the end of `list`. */
  push(list: TimeList, t: number): void {
    let x = this.freeHead;
    if (x >= 0) this.freeHead = this.next[x]!;
    else {
      x = this.used++;
      if (x === this.ts.length) this.grow();
    }
    this.ts[x] = t;
    this.next[x] = -1;
    if (list.length === 0) list.head = x;
    else this.next[list.tail] = x;
    list.tail = x;
    list.length++;
  }

  /** The oldest time of a non-empty list. */
  first(list: TimeList): number {
    return this.ts[list.head]!;
  }

  /** The latest time of a non-empty list. */
  last(list: TimeList): number {
    return this.ts[list.tail]!;
  }

  /** Drops the oldest time of a non-empty list. */
  shift(list: TimeList): void {
    const x = list.head;
    list.head = this.next[x]!;
    this.next[x] = this.freeHead;
    this.freeHead = x;
    if (--list.length === 0) list.head = list.tail = -1;
  }

  /** Empties the list. */
  clear(list: TimeList): void {
    if (list.length === 0) return;
    this.next[list.tail] = this.freeHead;
    this.freeHead = list.head;
    list.head = list.tail = -1;
    list.length = 0;
  }

  /**
   * Copies into `out` the times of the list that may lie within `spanMs` after some point of
   * [from, to] (t ≥ from and t − to ≤ spanMs), oldest first; returns how many. One walk over the list
   * for several points (layering's requote test asks for each pulled layer's cancel time; walking
   * the list once per layer was most of its cost in a burst: the lists hold a minute of orders).
   */
  collectNear(list: TimeList, from: number, to: number, spanMs: number, out: number[]): number {
    let n = 0;
    for (let x = list.length > 0 ? list.head : -1; x >= 0; x = this.next[x]!) {
      const t = this.ts[x]!;
      if (t >= from && t - to <= spanMs) out[n++] = t;
    }
    return n;
  }

  /** The list's times, oldest first (tests). */
  toArray(list: TimeList): number[] {
    const out: number[] = [];
    for (let x = list.length > 0 ? list.head : -1; x >= 0; x = this.next[x]!) out.push(this.ts[x]!);
    return out;
  }

  private grow(): void {
    const n = this.ts.length * 2;
    this.ts = grown(this.ts, n);
    this.next = grown(this.next, n);
  }
}
stateClass(TimeChains, 'layering.TimeChains');

/** One list of a `TimeChains` (−1: none; `length` 0 is the empty list). */
export interface TimeList {
  head: number;
  tail: number;
  length: number;
}

export function emptyTimeList(): TimeList {
  return { head: -1, tail: -1, length: 0 };
}
