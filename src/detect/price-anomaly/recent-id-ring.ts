import { stateClass } from '../../engine/snapshot.js';
import { pow2AtLeast } from '../window/pair-ring.js';

/**
 * The ids of a symbol's recent trades with their times, oldest first: `RecentIds`
 * (window/reference/recent-ids.ts) with the same answers, kept in two rings of a power-of-two size (times;
 * ids) indexed by entry number, so nothing is spliced and a thin symbol, holding an id or two,
 * keeps two short arrays instead of 32+ dropped entries and the 17+ slots pushes reserve.
 */
export class RecentIdRing {
  private ts: number[] = [];
  private ids: string[] = [];
  /** Number of the oldest entry held, and of the next one. */
  private first = 0;
  private end = 0;
  /** Slots − 1 (−1: none yet). */
  private mask = -1;

  get size(): number {
    return this.end - this.first;
  }

  push(tsMs: number, id: string): void {
    if (this.end - this.first > this.mask) this.resize(2 * (this.mask + 1) || 1);
    const k = this.end & this.mask;
    this.ts[k] = tsMs;
    this.ids[k] = id;
    this.end++;
  }

  /** Drops the oldest entries while they are before `cutoffMs` or more than `max` are held. */
  expire(cutoffMs: number, max: number): void {
    let f = this.first;
    const n = this.end;
    while (f < n && (this.ts[f & this.mask]! < cutoffMs || n - f > max)) this.ids[f++ & this.mask] = ''; // no id kept alive by a dead slot
    this.first = f;
  }

  /** Shrinks the rings to the smallest power of two holding the entries (a symbol waiting for its next trade). */
  trim(): void {
    const slots = pow2AtLeast(this.end - this.first);
    if (slots < this.mask + 1) this.resize(slots);
  }

  /** Ids of the entries at or after `fromMs`, oldest first (a new array). */
  since(fromMs: number): string[] {
    const out: string[] = [];
    for (let i = this.first; i < this.end; i++) if (this.ts[i & this.mask]! >= fromMs) out.push(this.ids[i & this.mask]!);
    return out;
  }

  /** Copies the entries into rings of `slots` slots (a power of two ≥ their count), packed arrays of exactly that size. */
  private resize(slots: number): void {
    const m = slots - 1;
    const ts: number[] = [];
    const ids: string[] = [];
    for (let k = 0; k < slots; k++) {
      ts.push(0);
      ids.push('');
    }
    for (let i = this.first; i < this.end; i++) {
      ts[i & m] = this.ts[i & this.mask]!;
      ids[i & m] = this.ids[i & this.mask]!;
    }
    this.ts = ts.slice();
    this.ids = ids.slice();
    this.mask = m;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(RecentIdRing);
