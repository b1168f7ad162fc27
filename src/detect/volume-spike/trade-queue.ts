import { stateClass } from '../../engine/snapshot.js';
import { pow2AtLeast } from '../window/pair-ring.js';

/**
 * The trades of a symbol's longest volume window, oldest first: times and sizes (read per trade,
 * to move the windows) and ids and accounts (read only for an alert's evidence). Trades are
 * numbered from 0 in arrival order, and trade i sits at slot i & mask of two rings of a
 * power-of-two size (numbers: time, size; strings: id, buyer, seller): nothing moves when the oldest
 * leave, and a thin symbol's queue, holding a trade or two, costs two short arrays instead of five
 * arrays with 17+ slots reserved each. Trade objects are not kept: on a dense symbol they would all
 * outlive the young generation (more GC work) for the few fields read.
 */
export class TradeQueue {
  private nums: number[] = [];
  private strs: string[] = [];
  /** Number of the oldest trade held, and of the next one to come. */
  private first = 0;
  private end = 0;
  /** Slots − 1 (−1: none yet). */
  private mask = -1;

  /** Number of the next trade to be pushed (one past the newest). */
  get next(): number {
    return this.end;
  }

  push(tsMs: number, qty: number, id: string, buyer: string, seller: string): void {
    const i = this.end;
    if (i - this.first > this.mask) this.resize(2 * (this.mask + 1) || 1);
    const k = i & this.mask;
    this.nums[2 * k] = tsMs;
    this.nums[2 * k + 1] = qty;
    this.strs[3 * k] = id;
    this.strs[3 * k + 1] = buyer;
    this.strs[3 * k + 2] = seller;
    this.end = i + 1;
  }

  /** Forgets the trades numbered below `n` (≤ next). */
  dropBefore(n: number): void {
    // Their id strings are the trades' own (the accounts are interned, shared): not kept alive by a dead slot.
    for (let i = this.first; i < n; i++) this.strs[3 * (i & this.mask)] = '';
    if (n > this.first) this.first = n;
  }

  /** Shrinks the rings to the smallest power of two holding the trades held (a symbol waiting for its next trade). */
  trim(): void {
    const slots = pow2AtLeast(this.end - this.first);
    if (slots < this.mask + 1) this.resize(slots);
  }

  tsMs(i: number): number {
    return this.nums[2 * (i & this.mask)]!;
  }
  qty(i: number): number {
    return this.nums[2 * (i & this.mask) + 1]!;
  }
  id(i: number): string {
    return this.strs[3 * (i & this.mask)]!;
  }
  buyer(i: number): string {
    return this.strs[3 * (i & this.mask) + 1]!;
  }
  seller(i: number): string {
    return this.strs[3 * (i & this.mask) + 2]!;
  }

  /** Copies the trades held into rings of `slots` slots (a power of two ≥ their count), in packed arrays of exactly that size. */
  private resize(slots: number): void {
    const nums: number[] = [];
    const strs: string[] = [];
    for (let i = 0; i < slots; i++) {
      const n = this.first + i;
      if (n < this.end) {
        nums.push(this.tsMs(n), this.qty(n));
        strs.push(this.id(n), this.buyer(n), this.seller(n));
      } else {
        nums.push(0, 0);
        strs.push('', '', '');
      }
    }
    // Re-based: trade n now at slot n & (slots − 1) needs the copy to start at slot first & (slots − 1).
    const m = slots - 1;
    const shift = this.first & m;
    this.nums = rotate(nums, shift, 2).slice();
    this.strs = rotate(strs, shift, 3).slice();
    this.mask = m;
  }
}

/** `a` (records of `width` slots) turned so that its record 0 lands at record `by`. */
function rotate<T>(a: T[], by: number, width: number): T[] {
  if (by === 0) return a;
  const cut = a.length - by * width;
  return a.slice(cut).concat(a.slice(0, cut));
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(TradeQueue);
