import { stateClass } from '../../engine/snapshot.js';

/** Log entries of the current period above which it is folded into one entry per buyer. */
const FOLD_MIN = 1024;

/**
 * The buy quantities of a symbol's recent buyers, in two periods (the previous pump window and the
 * current one), as evidence when an episode opens. Kept as a log of (buyer, quantity) in arrival
 * order and tallied only when asked: an episode opens rarely, while a Map update per buy trade (and
 * two new Maps per window) was the largest cost of pump_and_dump on a many-account tape. On a liquid
 * symbol the current period is folded into per-buyer sums now and then, so the log stays about the
 * size of its distinct buyers; a fold sums in arrival order, so the tallies are the same doubles.
 */
export class RecentBuyers {
  private buyers: string[] = [];
  private qty: number[] = [];
  /** Start of the previous period and of the current one in the log (older ≤ recent ≤ length). */
  private older = 0;
  private recent = 0;
  /** Current-period length that triggers the next fold. */
  private foldAt = FOLD_MIN;

  add(buyer: string, qty: number): void {
    this.buyers.push(buyer);
    this.qty.push(qty);
    if (this.buyers.length - this.recent > this.foldAt) this.fold();
  }

  /** Replaces the current period's entries by one per buyer (its sum so far, in its first-seen place). */
  private fold(): void {
    const sums = this.sum(this.recent, this.buyers.length);
    this.buyers.length = this.recent;
    this.qty.length = this.recent;
    for (const [buyer, qty] of sums) {
      this.buyers.push(buyer);
      this.qty.push(qty);
    }
    this.foldAt = Math.max(FOLD_MIN, 2 * sums.size);
  }

  /** Starts a new current period; the current one becomes the previous, or is forgotten too when `forgetBoth`. */
  rotate(forgetBoth: boolean): void {
    const n = this.buyers.length;
    this.older = forgetBoth ? n : this.recent;
    this.recent = n;
    this.foldAt = FOLD_MIN;
    // The forgotten prefix is dropped here, once a period: the log holds at most two periods.
    if (this.older > 0) {
      this.buyers.splice(0, this.older);
      this.qty.splice(0, this.older);
      this.recent -= this.older;
      this.older = 0;
    }
  }

  /**
   * Drops the room that pushes reserved beyond the entries held (a first push reserves 17 slots):
   * for a symbol that trades now and then, called while it waits for its next trade (window/recent-ids.ts).
   */
  trim(): void {
    this.buyers = this.buyers.slice();
    this.qty = this.qty.slice();
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
    const out = this.sum(this.older, this.recent);
    for (const [k, v] of this.sum(this.recent, this.buyers.length)) out.set(k, (out.get(k) ?? 0) + v);
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
