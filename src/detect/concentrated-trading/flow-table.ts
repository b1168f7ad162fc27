import { stateClass } from '../../engine/snapshot.js';

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

/** Rows allocated at first; the table doubles from there. */
const INITIAL_ROWS = 8;

/**
 * The accounts' flows of one symbol's window: one row of numbers per account in a single
 * Float64Array (row `slot` starts at `FlowTable.at(slot)`), found by account through a map to the
 * row. Rows, not an object per account: a symbol's flows sit together in memory instead of
 * scattered over the heap (an object's fractional number fields are boxes of their own), they are
 * touched twice per leg (in and out of the window) and, as objects, were copied by collections
 * while their legs were in the window. A released row is reused; a checkpoint holds the rows as raw bytes.
 */
export class FlowTable {
  rows = new Float64Array(INITIAL_ROWS * FIELDS);
  private readonly slots = new Map<string, number>();
  /** Account of each row ('' when free). */
  private readonly names: string[] = [];
  private readonly free: number[] = [];

  /** The row of an account's flow (a zero row, new or reused, when it has none). */
  slotOf(account: string): number {
    let slot = this.slots.get(account);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.names.length;
      if (slot === this.names.length) {
        this.names.push(account);
        if (slot * FIELDS >= this.rows.length) this.grow();
      } else this.names[slot] = account;
      this.slots.set(account, slot);
    }
    return slot;
  }

  /** The start of a slot's row in `rows`. */
  static at(slot: number): number {
    return slot * FIELDS;
  }

  /** The row of an account, if it has one. */
  find(account: string): number | undefined {
    return this.slots.get(account);
  }

  account(slot: number): string {
    return this.names[slot]!;
  }

  /** Accounts with a row, with their slot (in no meaningful order). */
  entries(): IterableIterator<[string, number]> {
    return this.slots.entries();
  }

  /** Frees a row; the caller has brought its numbers back to those of a new flow (zeros, sequence numbers aside). */
  release(slot: number): void {
    this.slots.delete(this.names[slot]!);
    this.names[slot] = '';
    this.free.push(slot);
  }

  private grow(): void {
    const bigger = new Float64Array(this.rows.length * 2);
    bigger.set(this.rows);
    this.rows = bigger;
  }
}

// Part of concentrated_trading's checkpointed state.
stateClass(FlowTable);
