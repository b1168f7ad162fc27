import { stateClass } from '../../engine/snapshot.js';
import type { AccountIds } from '../window/account-ids.js';
import { IntTable } from '../window/int-table.js';

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
/** Account id of the row (-1 when the row is free). */
const OWNER = 9;
const FIELDS = 10;

/**
 * The accounts' flows of one symbol's window: one row of numbers per account in a single array
 * (row `slot` starts at `FlowTable.at(slot)`), found by account id (`AccountIds`, shared by the
 * engine's detectors) through an `IntTable`. Rows, not an object per account: a symbol's flows sit
 * together in memory instead of scattered over the heap (an array of numbers holds them unboxed;
 * an object's fractional number fields are boxes of their own); they are touched twice per leg (in
 * and out of the window) and, as objects, were copied by collections while their legs were in the
 * window. A released row is reused. (A plain array rather than a Float64Array: many symbols have
 * a few accounts, and a typed array costs a buffer of its own, slow to make and to free.)
 */
export class FlowTable {
  readonly rows: number[] = [];
  /** Row by account id. */
  private readonly slots = new IntTable();
  private readonly free: number[] = [];

  constructor(private readonly ids: AccountIds) {}

  /** The start of a slot's row in `rows`. */
  static at(slot: number): number {
    return slot * FIELDS;
  }

  /** The row of an account's flow (a zero row, new or reused, when it has none). */
  slotOf(account: string): number {
    const id = this.ids.idOf(account);
    let slot = this.slots.get(id);
    if (slot < 0) {
      const end = (this.rows.length / FIELDS) | 0; // an integer, not a double: see `IntTable.add`
      slot = this.free.pop() ?? end;
      if (slot === end) {
        for (let k = 0; k < OWNER; k++) this.rows.push(0); // OWNER is the row's last number
        this.rows.push(id);
      } else this.rows[slot * FIELDS + OWNER] = id;
      this.slots.add(id, 0, slot);
      this.ids.retain(id);
    }
    return slot;
  }

  account(slot: number): string {
    return this.ids.name(this.rows[slot * FIELDS + OWNER]!);
  }

  /** The rows in use (in no meaningful order). */
  *used(): Generator<number> {
    for (let slot = 0; slot * FIELDS < this.rows.length; slot++) if (this.rows[slot * FIELDS + OWNER]! >= 0) yield slot;
  }

  /** Frees a row; the caller has brought its numbers back to those of a new flow (zeros, sequence numbers aside). */
  release(slot: number): void {
    const id = this.rows[slot * FIELDS + OWNER]!;
    this.slots.delete(id);
    this.ids.release(id);
    this.rows[slot * FIELDS + OWNER] = -1;
    this.free.push(slot);
  }

  /** Lets go of every account id held (the symbol's state is being dropped; rows left by float residue included). */
  dropAll(): void {
    for (const slot of this.used()) this.ids.release(this.rows[slot * FIELDS + OWNER]!);
  }
}

// Part of concentrated_trading's checkpointed state.
stateClass(FlowTable);
