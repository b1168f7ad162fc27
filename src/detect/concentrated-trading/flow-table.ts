import { stateClass } from '../../engine/snapshot.js';
import type { AccountIds } from '../window/account-ids.js';

/** The numbers of one account's flow, at these offsets of its row (see `FlowTable`). */
export const BOUGHT = 0;
export const SOLD = 1;
/** Bought / sold on legs the account initiated (or with unknown aggressor). */
export const BOUGHT_INIT = 2;
export const SOLD_INIT = 3;
/** Legs in the window (> 0: the account counts as present). */
export const LEGS = 4;
/** Net flow each way as held by the side books (0 when it holds none). */
export const BUY_NET = 5;
export const SELL_NET = 6;
/** When the account last came to hold a net flow each way: ties keep this order. */
export const BUY_SEQ = 7;
export const SELL_SEQ = 8;
/** Account id of the row + 1 (0: the bucket is empty). */
const KEY = 9;
const FIELDS = 10;
/** Smallest table once something is in it (a power of two; many symbols hold two or three accounts). */
const MIN_BUCKETS = 4;

/**
 * The accounts' flows of one symbol's window: an open-addressing hash table keyed by account id
 * (`AccountIds`, shared by the engine's detectors) whose buckets are the rows themselves, all in
 * one array of numbers (linear probing, at most half full, deletion by shifting back the rows that
 * follow). A leg finds its account's row in one probe most of the time: one place in memory per
 * leg in and per leg out, where a table of slots beside the rows cost a second one (on this
 * workload nearly every leg brings an account new to the symbol's window, and its expiry takes it
 * out again). Rows move (when others are deleted or the table is resized), so the window's legs
 * keep the account id and look the row up again when they leave.
 *
 * One plain array rather than a Float64Array: many symbols have a few accounts, and a typed array
 * costs a buffer of its own, slow to make and to free. With integer quantities every number is a
 * small integer, which the array keeps unboxed (and a checkpoint writes as such).
 */
export class FlowTable {
  /** `buckets` rows of `FIELDS` numbers (row of bucket b from b * FIELDS); empty rows are all zeros. */
  rows: number[] = [];
  /** Rows in use. */
  count = 0;
  /** Buckets - 1 (buckets a power of two; -1 while the table has none). */
  private mask = -1;

  constructor(private readonly ids: AccountIds) {}

  /** The start of an account's row in `rows`, or -1 when it has none. */
  find(id: number): number {
    if (this.count === 0) return -1;
    const rows = this.rows;
    const mask = this.mask;
    for (let b = home(id, mask); ; b = (b + 1) & mask) {
      const k = rows[b * FIELDS + KEY]!;
      if (k === id + 1) return b * FIELDS;
      if (k === 0) return -1;
    }
  }

  /** The start of an account's row (a zero row, with the id retained, when it had none). */
  rowOf(id: number): number {
    const found = this.find(id);
    if (found >= 0) return found;
    if (2 * (this.count + 1) > this.mask + 1) this.resize(Math.max(MIN_BUCKETS, 2 * (this.mask + 1)));
    const rows = this.rows;
    const mask = this.mask;
    let b = home(id, mask);
    while (rows[b * FIELDS + KEY] !== 0) b = (b + 1) & mask;
    rows[b * FIELDS + KEY] = (id + 1) | 0;
    this.count++;
    this.ids.retain(id);
    return b * FIELDS;
  }

  /** The account of the row starting at `r`. */
  account(r: number): string {
    return this.ids.name(this.rows[r + KEY]! - 1);
  }

  /**
   * Deletes the row starting at `r`, whose numbers the caller has brought back to those of a new
   * flow (zeros; the sequence numbers are set before they are read). Other rows may move.
   */
  remove(r: number): void {
    const rows = this.rows;
    const mask = this.mask;
    this.ids.release(rows[r + KEY]! - 1);
    let hole = (r / FIELDS) | 0;
    // Shift back each following row of the run whose home is not in (hole, j], so no probe meets a gap.
    for (let j = (hole + 1) & mask; rows[j * FIELDS + KEY] !== 0; j = (j + 1) & mask) {
      const h = home(rows[j * FIELDS + KEY]! - 1, mask);
      if (hole < j ? h <= hole || h > j : h <= hole && h > j) {
        for (let k = 0; k < FIELDS; k++) rows[hole * FIELDS + k] = rows[j * FIELDS + k]!;
        hole = j;
      }
    }
    for (let k = 0; k < FIELDS; k++) rows[hole * FIELDS + k] = 0;
    this.count--;
    if (mask + 1 > MIN_BUCKETS && 8 * this.count < mask + 1) this.resize((mask + 1) >> 1);
  }

  /** Starts of the rows in use, in `out` (cleared first; in no meaningful order). */
  used(out: number[]): number[] {
    out.length = 0;
    const rows = this.rows;
    for (let r = 0; r < rows.length; r += FIELDS) if (rows[r + KEY] !== 0) out.push(r);
    return out;
  }

  /** Lets go of every account id held (the symbol's state is being dropped; rows left by float residue included). */
  dropAll(): void {
    const rows = this.rows;
    for (let r = 0; r < rows.length; r += FIELDS) if (rows[r + KEY] !== 0) this.ids.release(rows[r + KEY]! - 1);
  }

  private resize(buckets: number): void {
    const old = this.rows;
    const rows: number[] = [];
    for (let k = 0; k < buckets * FIELDS; k++) rows.push(0); // a packed array (a filled `new Array(n)` stays holey)
    const mask = buckets - 1;
    for (let r = 0; r < old.length; r += FIELDS) {
      const key = old[r + KEY]!;
      if (key === 0) continue;
      let b = home(key - 1, mask);
      while (rows[b * FIELDS + KEY] !== 0) b = (b + 1) & mask;
      for (let k = 0; k < FIELDS; k++) rows[b * FIELDS + k] = old[r + k]!;
    }
    this.rows = rows;
    this.mask = mask;
  }
}

/** Home bucket of an account id: multiplicative hashing with the high bits folded in, so consecutive ids spread. */
function home(id: number, mask: number): number {
  const h = Math.imul(id + 1, 0x9e3779b1);
  return (h ^ (h >>> 16)) & mask;
}

// Part of concentrated_trading's checkpointed state.
stateClass(FlowTable);
