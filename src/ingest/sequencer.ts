import type { MarketEvent, OrderEvent } from '../domain/events.js';
import { grown } from '../engine/grown.js';
import type { EventBatch, RejectSink } from './source.js';

export interface SequencerOptions {
  /** How far (ms) an event may lag the latest event time seen and still be accepted. */
  readonly reorderWindowMs: number;
  /** Reject modify/cancel/fill of orders never seen (off for feeds that start mid-session). */
  readonly checkOrderLifecycle: boolean;
}

/**
 * Validates the stream as a whole, across batches of one input: event time may lag the latest seen
 * by at most the reorder window, and order events must follow a lifecycle (a cancel needs a `new`).
 * Fills in the account of modify/cancel/fill events from their order when the feed omits it.
 * Memory: one entry per live (resting) order.
 */
export class Sequencer {
  private maxTsMs = -Infinity;
  /**
   * Live orders by symbol, then order id (nested maps: no concatenated key string per event), as
   * rows of the columns below: no object per order, which lived as long as the order and was
   * promoted to the old generation when it rested long.
   */
  private readonly live = new Map<string, Map<string, number>>();
  /** The symbol looked up last and its live orders (a feed's order events come in runs per symbol). */
  private lastSymbol: string | undefined;
  private lastBook: Map<string, number> | undefined;
  /** Row → the order's remaining size. */
  private remaining = new Float64Array(1024);
  /** Row → the order's account ('' once the row is free). */
  private readonly accounts: string[] = [];
  /** Free rows, a stack in a typed array (a `number[]` taken up and down by push and pop was reallocated as it went). */
  private freeRows = new Int32Array(1024);
  private freeCount = 0;
  rejected = 0;

  constructor(
    private readonly options: SequencerOptions,
    private readonly rejects: RejectSink,
  ) {}

  /** Returns the accepted events of a batch (the batch's array is reused when nothing is dropped). */
  accept(batch: EventBatch): MarketEvent[] {
    const { events, lines, file } = batch;
    let out: MarketEvent[] | undefined;
    for (let i = 0; i < events.length; i++) {
      let e = events[i]!;
      let reason: string | undefined;
      let field = 'ts';
      if (e.tsMs < this.maxTsMs - this.options.reorderWindowMs) {
        reason = `timestamp out of order: ${new Date(e.tsMs).toISOString()} is ${this.maxTsMs - e.tsMs} ms before the latest event (reorder window ${this.options.reorderWindowMs} ms)`;
      } else if (e.type === 'order' && this.options.checkOrderLifecycle) {
        const r = this.lifecycle(e);
        if (typeof r === 'string') {
          reason = r;
          field = e.action === 'new' ? 'order_id' : 'action';
        } else e = r;
      }
      if (reason !== undefined) {
        this.rejected++;
        this.rejects.reject({ file, line: lines[i] ?? 0, field, reason, raw: JSON.stringify(events[i]) });
        out ??= events.slice(0, i);
        continue;
      }
      if (e.tsMs > this.maxTsMs) this.maxTsMs = e.tsMs;
      if (out) out.push(e);
      else if (e !== events[i]) {
        out = events.slice(0, i);
        out.push(e);
      }
    }
    return out ?? events;
  }

  private lifecycle(e: OrderEvent): OrderEvent | string {
    let book = e.symbol === this.lastSymbol ? this.lastBook : this.bookOf(e.symbol);
    const row = book?.get(e.orderId);
    if (e.action === 'new') {
      if (row !== undefined) return `duplicate order id ${e.orderId}: a new order while the previous one is still live`;
      if (!book) {
        book = new Map();
        this.live.set(e.symbol, book);
        this.lastBook = book;
      }
      book.set(e.orderId, this.newRow(e));
      return e;
    }
    if (row === undefined || !book) return `${e.action} for order ${e.orderId} never seen (no 'new' before it)`;
    const account = this.accounts[row]!;
    switch (e.action) {
      case 'modify':
        this.remaining[row] = e.qty;
        break;
      case 'cancel':
      case 'fill': {
        const left = this.remaining[row]! - e.qty;
        this.remaining[row] = left;
        if (left <= 1e-12) {
          book.delete(e.orderId);
          // An emptied symbol leaves no entry behind: memory follows the resting orders only.
          if (book.size === 0) {
            this.live.delete(e.symbol);
            this.lastBook = undefined;
          }
          this.freeRow(row);
        }
        break;
      }
    }
    return e.account === '' && account !== '' ? { ...e, account } : e;
  }

  /** The live orders of `symbol` (undefined: none), remembered as the last looked up. */
  private bookOf(symbol: string): Map<string, number> | undefined {
    this.lastSymbol = symbol;
    return (this.lastBook = this.live.get(symbol));
  }

  /** A row for a new order (given the event, not its size: a double passed to a call may be boxed). */
  private newRow(e: OrderEvent): number {
    const row = this.freeCount > 0 ? this.freeRows[--this.freeCount]! : this.accounts.length;
    if (row >= this.remaining.length) this.remaining = grown(this.remaining, row + 1);
    this.remaining[row] = e.qty;
    this.accounts[row] = e.account;
    return row;
  }

  private freeRow(row: number): void {
    this.accounts[row] = '';
    if (this.freeCount === this.freeRows.length) this.freeRows = grown(this.freeRows, this.freeCount + 1);
    this.freeRows[this.freeCount++] = row;
  }
}
