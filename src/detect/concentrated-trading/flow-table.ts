import { stateClass } from '../../engine/snapshot.js';
import type { AccountIds } from '../window/account-ids.js';
import { appendZeros, zeroArray } from '../window/tight-array.js';

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
const FIELDS = 9;

/** An index bucket's key: account id + 1, or one of these. */
const EMPTY = 0;
/** The place of a deleted row: probes go on past it, an insert may take it. */
const DELETED = -1;
/** Smallest index once something is in it (a power of two; many symbols hold the two accounts of one trade). */
const MIN_BUCKETS = 4;

/**
 * The accounts' flows of one symbol's window, for a window where most accounts have one leg: on a
 * busy tape nearly every leg brings an account new to the symbol's window, and leaves it again when
 * it expires. Such an account needs no row: its flow is its one leg (kept in the window's ring of
 * legs, which is read in order anyway). Only an account with a second leg in the window gets a row
 * of numbers, made from its first leg (the numbers that leg left in a new row) when the second comes.
 *
 * The index finds an account by id (`AccountIds`, shared by the engine's detectors): open addressing
 * with linear probing over buckets of two numbers, the key and what the account has, its one leg
 * (the leg's number, ≥ 0) or its row (-1 - the row). When its one leg leaves the window, the entry
 * is left as it is (the leg's number is now before the window's first, so it is dead): expiring a
 * one-leg account touches nothing here, and an insert takes over dead entries on its way. Dead
 * entries are cleared out when the table is rebuilt (when used buckets reach three quarters), which
 * sizes it to at least twice the live entries. A deleted row leaves its bucket `DELETED`.
 *
 * Rows are in one array of numbers (row `slot` from `slot * FIELDS`); a released row is reused. Plain
 * arrays rather than typed arrays: many symbols hold a few accounts, and a typed array costs a
 * buffer of its own, slow to make and to free. With integer quantities every number is a small
 * integer, which the array keeps unboxed (and a checkpoint writes as such).
 *
 * Each entry, live or dead, holds its account id (`AccountIds.retain`) until it is deleted, taken
 * over or cleared out.
 */
export class FlowTable {
  /** Buckets of [key, value]: key account id + 1 (or `EMPTY`, `DELETED`); value the account's one leg (≥ 0) or -1 - its row. */
  index: number[] = [];
  /**
   * Rows of `FIELDS` numbers; released rows are zeros (sequence numbers aside). Both start as none
   * (the shared empty array, never written: the first row makes an array of its own; no free list):
   * most symbols' accounts have a leg each, so no row.
   */
  rows: number[] = NO_ROWS;
  private free: number[] | undefined = undefined;
  /** Buckets - 1 (a power of two; -1 while there are none). */
  private mask = -1;
  /** Buckets not `EMPTY` (live, dead or `DELETED`). */
  private used = 0;

  constructor(private readonly ids: AccountIds) {}

  /** The start of a row in `rows`. */
  static at(slot: number): number {
    return slot * FIELDS;
  }

  /**
   * The index position (even) of account `id`'s live entry, when it has one (then `index[e]` is
   * `id + 1`); otherwise where to add it (`index[e]` is then not `id + 1`, or is with a dead
   * value). Legs numbered below `firstLeg` have left the window.
   */
  locate(id: number, firstLeg: number): number {
    const index = this.index;
    const mask = this.mask;
    if (mask < 0) return -1;
    const key = id + 1;
    let spare = -1;
    for (let b = home(id, mask); ; b = (b + 1) & mask) {
      const k = index[2 * b]!;
      if (k === key) return 2 * b; // live or dead, it is the account's own bucket
      if (k === EMPTY) return spare >= 0 ? spare : 2 * b;
      if (spare < 0 && (k === DELETED || (index[2 * b + 1]! >= 0 && index[2 * b + 1]! < firstLeg))) spare = 2 * b;
    }
  }

  /** Whether the entry at `e` (from `locate`) is account `id`'s and live. */
  isLive(e: number, id: number, firstLeg: number): boolean {
    if (e < 0 || this.index[e] !== id + 1) return false;
    const v = this.index[e + 1]!;
    return v < 0 || v >= firstLeg;
  }

  /**
   * Gives account `id`, without a live entry, the entry `value` (a leg number, or -1 - a row) at the
   * place `locate` gave (`e`, which this may change first); returns the entry's position.
   */
  add(e: number, id: number, value: number, firstLeg: number): number {
    if (e < 0 || this.index[e] === EMPTY) {
      if (4 * (this.used + 1) > 3 * (this.mask + 1)) {
        this.rebuild(firstLeg);
        e = this.locate(id, firstLeg);
      }
      if (this.index[e] === EMPTY) this.used++;
    }
    const k = this.index[e]!;
    if (k !== id + 1) {
      if (k > 0) this.ids.release(k - 1); // a dead entry of another account, taken over
      this.ids.retain(id);
      this.index[e] = (id + 1) | 0;
    }
    this.index[e + 1] = value | 0;
    return e;
  }

  /** A new row (zeros, sequence numbers aside): its slot. */
  newRow(): number {
    const slot = this.free?.pop();
    if (slot !== undefined) return slot;
    const made = (this.rows.length / FIELDS) | 0;
    this.rows = appendZeros(this.rows, FIELDS, made);
    return made;
  }

  /** Deletes the entry at `e` and frees its row (`slot`), whose numbers the caller brought back to zeros. */
  deleteRow(e: number, slot: number): void {
    this.ids.release(this.index[e]! - 1);
    this.index[e] = DELETED;
    this.index[e + 1] = 0;
    (this.free ??= []).push(slot);
  }

  /** The account of the entry at `e`. */
  account(e: number): string {
    return this.ids.name(this.index[e]! - 1);
  }

  /** Lets go of every account id held (the symbol's state is being dropped). */
  dropAll(): void {
    const index = this.index;
    for (let e = 0; e < index.length; e += 2) if (index[e]! > 0) this.ids.release(index[e]! - 1);
  }

  /**
   * Rebuilds the index with its live entries only, in the smallest power of two of buckets at least
   * twice as many (and `MIN_BUCKETS`): at most half full, a quarter of its buckets left to fill before
   * the next rebuild. In the same array (no new array when the size stays: a busy symbol rebuilds
   * every few hundred legs). Three quarters full (dead entries included) at most, the index is half
   * the memory of one rebuilt at half full to four times its live entries, at the same CPU (A/B, conc alone and all 8).
   */
  private rebuild(firstLeg: number): void {
    let index = this.index;
    let live = 0;
    for (let e = 0; e < index.length; e += 2) {
      if (index[e]! <= 0) continue;
      if (index[e + 1]! < 0 || index[e + 1]! >= firstLeg) {
        scratch[2 * live] = index[e]!;
        scratch[2 * live + 1] = index[e + 1]!;
        live++;
      } else this.ids.release(index[e]! - 1); // dead: cleared out
    }
    let buckets = MIN_BUCKETS;
    while (buckets < 2 * live) buckets *= 2;
    if (index.length === 2 * buckets) index.fill(0);
    else this.index = index = zeroArray(2 * buckets); // packed, of exact length while short (`tight-array.ts`)
    const mask = buckets - 1;
    for (let i = 0; i < live; i++) {
      const k = scratch[2 * i]!;
      let b = home(k - 1, mask);
      while (index[2 * b] !== EMPTY) b = (b + 1) & mask;
      index[2 * b] = k;
      index[2 * b + 1] = scratch[2 * i + 1]!;
    }
    this.mask = mask;
    this.used = live;
  }
}

/** `rows` of a table without rows (`appendZeros` copies it: it stays empty). */
const NO_ROWS: number[] = [];

/** The live entries during a rebuild (grows to the largest index; not state). */
const scratch: number[] = [];

/** Home bucket of an account id: multiplicative hashing with the high bits folded in, so consecutive ids spread. */
function home(id: number, mask: number): number {
  const h = Math.imul(id + 1, 0x9e3779b1);
  return (h ^ (h >>> 16)) & mask;
}

// Part of concentrated_trading's checkpointed state.
stateClass(FlowTable);
