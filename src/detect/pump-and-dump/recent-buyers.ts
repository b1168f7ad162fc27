import { stateClass } from '../../engine/snapshot.js';
import { grownCapacity, moveDownNumbers, moveDownStrings, regrowNumbers, regrowStrings } from '../window/arrays.js';

/** Log entries of the current period above which it is folded into one entry per buyer. */
const FOLD_MIN = 1024;
/** What a log holds before its first buy, shared: never written (the first add gives it arrays of its own). */
const NO_BUYERS: string[] = [];
const NO_QTY: number[] = [];

/**
 * The buy quantities of a symbol's recent buyers, in two periods (the previous pump window and the
 * current one), as evidence when an episode opens. Kept as a log of (buyer, quantity) in arrival
 * order and tallied only when asked: an episode opens rarely, while a Map update per buy trade (and
 * two new Maps per window) was the largest cost of pump_and_dump on a many-account tape. On a liquid
 * symbol the current period is folded into per-buyer sums now and then, so the log stays about the
 * size of its distinct buyers; a fold sums in arrival order, so the tallies are the same doubles.
 * The log's arrays have an explicit capacity (window/arrays.ts): a symbol buying a few times a day
 * holds a few slots, not the 17+ a push reserves.
 */
export class RecentBuyers {
  private buyers: string[] = NO_BUYERS;
  private qty: number[] = NO_QTY;
  /** Entries held: [0, recent) the previous period, [recent, n) the current one. */
  private n = 0;
  private recent = 0;
  /** Current-period length that triggers the next fold. */
  private foldAt = FOLD_MIN;

  add(buyer: string, qty: number): void {
    const n = this.n;
    if (n === this.buyers.length) {
      const capacity = grownCapacity(n, n + 1);
      this.buyers = regrowStrings(this.buyers, 0, n, capacity);
      this.qty = regrowNumbers(this.qty, 0, n, capacity);
    }
    this.buyers[n] = buyer;
    this.qty[n] = qty;
    this.n = n + 1;
    if (this.n - this.recent > this.foldAt) this.fold();
  }

  /** Replaces the current period's entries by one per buyer (its sum so far, in its first-seen place). */
  private fold(): void {
    const sums = this.sum(this.recent, this.n);
    this.release(this.recent);
    let n = this.recent;
    for (const [buyer, qty] of sums) {
      this.buyers[n] = buyer;
      this.qty[n++] = qty;
    }
    this.n = n;
    this.foldAt = Math.max(FOLD_MIN, 2 * sums.size);
  }

  /** Keeps the first `n` entries, releasing the buyer strings after them. */
  private release(n: number): void {
    for (let i = n; i < this.n; i++) this.buyers[i] = '';
    this.n = n;
  }

  /** Starts a new current period; the current one becomes the previous, or is forgotten too when `forgetBoth`. */
  rotate(forgetBoth: boolean): void {
    const n = this.n;
    const older = forgetBoth ? n : this.recent;
    this.foldAt = FOLD_MIN;
    // The forgotten prefix is dropped here, once a period: the log holds at most two periods.
    if (older > 0) {
      moveDownStrings(this.buyers, older, n);
      moveDownNumbers(this.qty, older, n);
      this.release(n - older);
    }
    this.recent = this.n;
  }

  /** Forgets both periods. */
  clear(): void {
    this.rotate(true);
  }

  /**
   * Quantity bought per buyer over both periods: each period summed in arrival order, then the
   * current one's sums added to the previous one's (the sums two tallies merged gave).
   */
  tallies(): Map<string, number> {
    const out = this.sum(0, this.recent);
    for (const [k, v] of this.sum(this.recent, this.n)) out.set(k, (out.get(k) ?? 0) + v);
    return out;
  }

  private sum(from: number, to: number): Map<string, number> {
    const m = new Map<string, number>();
    for (let i = from; i < to; i++) m.set(this.buyers[i]!, (m.get(this.buyers[i]!) ?? 0) + this.qty[i]!);
    return m;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RecentBuyers);
