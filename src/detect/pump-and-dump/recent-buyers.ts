import { stateClass } from '../../engine/snapshot.js';
import { grownCapacity } from '../window/arrays.js';
import { columnCapacity, grownInt32 } from './columns.js';
import { SlotBlock } from './slot-blocks.js';

/** Log entries of the current period above which it is folded into one entry per buyer. */
const FOLD_MIN = 1024;

/**
 * For every symbol slot (its id in pump_and_dump's `states`), the buy quantities of the symbol's recent buyers, in two
 * periods (the previous pump window and the current one), as evidence when an episode opens. Kept
 * as a log of (buyer, quantity) in arrival order and tallied only when asked: an episode opens
 * rarely, while a Map update per buy trade (and two new Maps per window) was the largest cost of
 * pump_and_dump on a many-account tape. On a liquid symbol the current period is folded into
 * per-buyer sums now and then, so the log stays about the size of its distinct buyers; a fold sums
 * in arrival order, so the tallies are the same doubles. The log is a block of a shared Slab made
 * `withStrings` (quantity in the number, buyer in the string beside it): a symbol buying a few
 * times a day holds a few entries, with no object or array of its own.
 */
export class RecentBuyers extends SlotBlock {
  // A slot's block (SlotBlock) holds its log: entries [0, recent) the previous period, [recent, n) the current one.
  private n = new Int32Array(0);
  private recent = new Int32Array(0);
  /** Current-period length that triggers the next fold. */
  private foldAt = new Int32Array(0);

  /** Makes `slot` empty (a new symbol's). */
  override add(slot: number): void {
    if (slot >= this.n.length) {
      const c = columnCapacity(this.n.length, slot);
      this.n = grownInt32(this.n, c);
      this.recent = grownInt32(this.recent, c);
      this.foldAt = grownInt32(this.foldAt, c);
    }
    super.add(slot);
    this.n[slot] = this.recent[slot] = 0;
    this.foldAt[slot] = FOLD_MIN;
  }

  /** Logs a buy. */
  buy(slot: number, buyer: string, qty: number): void {
    const n = this.n[slot]!;
    const cap = this.cap[slot]!;
    if (n === cap) this.moveBlock(slot, 0, n, grownCapacity(cap, n + 1));
    const off = this.off[slot]!;
    this.slab.strs![off + n] = buyer;
    this.slab.nums[off + n] = qty;
    this.n[slot] = n + 1;
    if (n + 1 - this.recent[slot]! > this.foldAt[slot]!) this.fold(slot);
  }

  /** Replaces the current period's entries by one per buyer (its sum so far, in its first-seen place). */
  private fold(slot: number): void {
    const recent = this.recent[slot]!;
    const sums = this.sum(slot, recent, this.n[slot]!);
    this.release(slot, recent);
    const off = this.off[slot]!;
    let n = recent;
    for (const [buyer, qty] of sums) {
      this.slab.strs![off + n] = buyer;
      this.slab.nums[off + n++] = qty;
    }
    this.n[slot] = n;
    this.foldAt[slot] = Math.max(FOLD_MIN, 2 * sums.size);
  }

  /** Keeps the slot's first `n` entries, releasing the buyer strings after them. */
  private release(slot: number, n: number): void {
    const off = this.off[slot]!;
    const strs = this.slab.strs!;
    for (let i = n; i < this.n[slot]!; i++) strs[off + i] = '';
    this.n[slot] = n;
  }

  /** Starts a new current period; the current one becomes the previous, or is forgotten too when `forgetBoth`. */
  rotate(slot: number, forgetBoth: boolean): void {
    const n = this.n[slot]!;
    const older = forgetBoth ? n : this.recent[slot]!;
    this.foldAt[slot] = FOLD_MIN;
    // The forgotten prefix is dropped here, once a period: the log holds at most two periods.
    if (older > 0) {
      this.slab.moveDown(this.off[slot]!, older, n);
      this.n[slot] = n - older;
    }
    this.recent[slot] = this.n[slot]!;
    // Nothing left (a quiet symbol): the block is freed, the next buy takes a new one.
    if (this.n[slot] === 0) this.freeBlock(slot);
  }

  /** Forgets both periods. */
  clear(slot: number): void {
    this.rotate(slot, true);
  }

  /**
   * Quantity bought per buyer over both periods: each period summed in arrival order, then the
   * current one's sums added to the previous one's (the sums two tallies merged gave).
   */
  tallies(slot: number): Map<string, number> {
    const recent = this.recent[slot]!;
    const out = this.sum(slot, 0, recent);
    for (const [k, v] of this.sum(slot, recent, this.n[slot]!)) out.set(k, (out.get(k) ?? 0) + v);
    return out;
  }

  private sum(slot: number, from: number, to: number): Map<string, number> {
    const off = this.off[slot]!;
    const buyers = this.slab.strs!;
    const qty = this.slab.nums;
    const m = new Map<string, number>();
    for (let i = off + from; i < off + to; i++) m.set(buyers[i]!, (m.get(buyers[i]!) ?? 0) + qty[i]!);
    return m;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RecentBuyers);
