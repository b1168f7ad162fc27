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
 *
 * Holding at most one trade (most of the time for a symbol trading every few minutes or less), the
 * queue has no arrays: that trade is in five fields (two 2- and 3-slot arrays cost ~0.1 KB more).
 * The arrays come with a second trade and go when the drops leave one.
 */
export class TradeQueue {
  private nums: number[] = NO_NUMS;
  private strs: string[] = NO_STRS;
  /** Number of the oldest trade held, and of the next one to come. */
  private first = 0;
  private end = 0;
  /** Slots − 1; −1: no arrays, the trade held (if any) is in the one* fields. */
  private mask = -1;
  private oneTs = 0;
  private oneQty = 0;
  private oneId = '';
  private oneBuyer = '';
  private oneSeller = '';

  /** Number of the next trade to be pushed (one past the newest). */
  get next(): number {
    return this.end;
  }

  push(tsMs: number, qty: number, id: string, buyer: string, seller: string): void {
    const i = this.end;
    if (this.mask < 0 && i === this.first) {
      this.oneTs = tsMs;
      this.oneQty = qty;
      this.oneId = id;
      this.oneBuyer = buyer;
      this.oneSeller = seller;
      this.end = i + 1;
      return;
    }
    if (i - this.first > this.mask) this.resize(2 * (this.mask + 1) || 2);
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
    if (n <= this.first) return;
    // Their id strings are the trades' own (the accounts are interned, shared): not kept alive by a dead slot.
    if (this.mask < 0) this.oneId = '';
    else for (let i = this.first; i < n; i++) this.strs[3 * (i & this.mask)] = '';
    this.first = n;
    if (this.mask >= 0 && this.end - n <= 1) this.toFields();
  }

  /** Shrinks the rings to the smallest power of two holding the trades held (a symbol waiting for its next trade). */
  trim(): void {
    if (this.end - this.first <= 1) {
      if (this.mask >= 0) this.toFields();
      return;
    }
    const slots = pow2AtLeast(this.end - this.first);
    if (slots < this.mask + 1) this.resize(slots);
  }

  /** Trade i's fields (i held: first ≤ i < next). */
  tsMs(i: number): number {
    return this.mask < 0 ? this.oneTs : this.nums[2 * (i & this.mask)]!;
  }
  qty(i: number): number {
    return this.mask < 0 ? this.oneQty : this.nums[2 * (i & this.mask) + 1]!;
  }
  id(i: number): string {
    return this.mask < 0 ? this.oneId : this.strs[3 * (i & this.mask)]!;
  }
  buyer(i: number): string {
    return this.mask < 0 ? this.oneBuyer : this.strs[3 * (i & this.mask) + 1]!;
  }
  seller(i: number): string {
    return this.mask < 0 ? this.oneSeller : this.strs[3 * (i & this.mask) + 2]!;
  }

  /** Moves the trade held (at most one) from the arrays to the fields and drops the arrays. */
  private toFields(): void {
    const held = this.end > this.first;
    const i = this.first;
    this.oneTs = held ? this.tsMs(i) : 0;
    this.oneQty = held ? this.qty(i) : 0;
    this.oneId = held ? this.id(i) : '';
    this.oneBuyer = held ? this.buyer(i) : '';
    this.oneSeller = held ? this.seller(i) : '';
    this.nums = NO_NUMS;
    this.strs = NO_STRS;
    this.mask = -1;
  }

  /** Copies the trades held into rings of `slots` slots (a power of two ≥ their count, ≥ 2), in packed arrays of exactly that size. */
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
    this.oneId = this.oneBuyer = this.oneSeller = '';
  }
}

/** `a` (records of `width` slots) turned so that its record 0 lands at record `by`. */
function rotate<T>(a: T[], by: number, width: number): T[] {
  if (by === 0) return a;
  const cut = a.length - by * width;
  return a.slice(cut).concat(a.slice(0, cut));
}

/** The (empty) arrays of every queue without arrays, shared: never written (a push to a queue holding one trade makes its own). */
const NO_NUMS: number[] = [];
const NO_STRS: string[] = [];

/** Held in detector state, so checkpoints must know the class. */
stateClass(TradeQueue);
