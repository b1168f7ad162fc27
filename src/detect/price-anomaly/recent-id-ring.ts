import { stateClass } from '../../engine/snapshot.js';
import { pow2AtLeast } from '../window/pair-ring.js';

/**
 * The ids of a symbol's recent trades with their times, oldest first: `RecentIds`
 * (window/reference/recent-ids.ts) with the same answers, kept in two rings of a power-of-two size (times;
 * ids) indexed by entry number, so nothing is spliced and a thin symbol, holding an id or two,
 * keeps two short arrays instead of 32+ dropped entries and the 17+ slots pushes reserve.
 *
 * Holding at most one entry (most of the time for a symbol trading every few minutes or less: the
 * window is price_window_ms), the ring has no arrays: that entry is in two fields (two 1-slot
 * arrays cost ~0.1 KB more). The arrays come with a second entry and go when expiry leaves one.
 */
export class RecentIdRing {
  private ts: number[] = NO_TS;
  private ids: string[] = NO_IDS;
  /** Number of the oldest entry held, and of the next one. */
  private first = 0;
  private end = 0;
  /** Slots − 1; −1: no arrays, the entry held (if any) is oneTs / oneId. */
  private mask = -1;
  private oneTs = 0;
  private oneId = '';

  get size(): number {
    return this.end - this.first;
  }

  push(tsMs: number, id: string): void {
    if (this.mask < 0 && this.end === this.first) {
      this.oneTs = tsMs;
      this.oneId = id;
      this.end++;
      return;
    }
    if (this.end - this.first > this.mask) this.resize(2 * (this.mask + 1) || 2);
    const k = this.end & this.mask;
    this.ts[k] = tsMs;
    this.ids[k] = id;
    this.end++;
  }

  /** Drops the oldest entries while they are before `cutoffMs` or more than `max` are held. */
  expire(cutoffMs: number, max: number): void {
    let f = this.first;
    const n = this.end;
    if (this.mask < 0) {
      if (f < n && (this.oneTs < cutoffMs || n - f > max)) {
        this.first = n;
        this.oneId = ''; // no id kept alive by a dead entry
      }
      return;
    }
    while (f < n && (this.ts[f & this.mask]! < cutoffMs || n - f > max)) this.ids[f++ & this.mask] = ''; // no id kept alive by a dead slot
    this.first = f;
    if (n - f <= 1) this.toFields();
  }

  /** Shrinks the rings to the smallest power of two holding the entries (a symbol waiting for its next trade). */
  trim(): void {
    const n = this.end - this.first;
    if (n <= 1) {
      if (this.mask >= 0) this.toFields();
      return;
    }
    const slots = pow2AtLeast(n);
    if (slots < this.mask + 1) this.resize(slots);
  }

  /** Ids of the entries at or after `fromMs`, oldest first (a new array). */
  since(fromMs: number): string[] {
    const out: string[] = [];
    if (this.mask < 0) {
      if (this.end > this.first && this.oneTs >= fromMs) out.push(this.oneId);
      return out;
    }
    for (let i = this.first; i < this.end; i++) if (this.ts[i & this.mask]! >= fromMs) out.push(this.ids[i & this.mask]!);
    return out;
  }

  /** Moves the entry held (at most one) from the arrays to the fields and drops the arrays. */
  private toFields(): void {
    const held = this.end > this.first;
    const k = this.first & this.mask;
    this.oneTs = held ? this.ts[k]! : 0;
    this.oneId = held ? this.ids[k]! : '';
    this.ts = NO_TS;
    this.ids = NO_IDS;
    this.mask = -1;
  }

  /** Copies the entries into rings of `slots` slots (a power of two ≥ their count, ≥ 2), packed arrays of exactly that size. */
  private resize(slots: number): void {
    const m = slots - 1;
    const ts: number[] = [];
    const ids: string[] = [];
    for (let k = 0; k < slots; k++) {
      ts.push(0);
      ids.push('');
    }
    for (let i = this.first; i < this.end; i++) {
      ts[i & m] = this.mask < 0 ? this.oneTs : this.ts[i & this.mask]!;
      ids[i & m] = this.mask < 0 ? this.oneId : this.ids[i & this.mask]!;
    }
    this.ts = ts.slice();
    this.ids = ids.slice();
    this.mask = m;
    this.oneId = '';
  }
}

/** The (empty) arrays of every ring without arrays, shared: never written (a push to a ring holding one entry makes its own). */
const NO_TS: number[] = [];
const NO_IDS: string[] = [];

/** Held in detector state, so checkpoints must know the class. */
stateClass(RecentIdRing);
