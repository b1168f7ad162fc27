import type { MarketEvent, OrderAction, Side } from '../../domain/events.js';
import { assertNever } from '../../domain/events.js';

/**
 * A batch of events for one detection thread, in a form that crosses threads cheaply: numbers in
 * one transferable buffer (moved, not copied), symbols and accounts as indexes into a string table
 * the receiving thread keeps (each distinct string crosses once), and trade/order ids as a plain
 * string array. Structured clone of the event objects costs the receiver several times more than
 * decoding this (docs/perf-notes/shard.md).
 *
 * Per event, `nums` holds NUMS slots: event time, the stream's clock at that event (see
 * `EventColumns.clock`), then price and qty (trade, order) or bid price, bid qty, ask price, ask
 * qty (quote). `refs` holds REFS slots: a kind code, the symbol, then buyer and seller (trade) or
 * account (order) as string-table indexes.
 */
export interface EventColumns {
  readonly count: number;
  /** NUMS float64 slots then REFS int32 slots per event, in one buffer (transferred). */
  readonly buffer: ArrayBuffer;
  /** Trade and order ids, in event order (quotes have none). */
  readonly ids: string[];
  /** Strings new to the receiver's table, appended in this order. */
  readonly strings: string[];
}

const NUMS = 6;
const REFS = 4;
const SIDES: readonly (Side | undefined)[] = [undefined, 'buy', 'sell'];
const ACTIONS: readonly OrderAction[] = ['new', 'modify', 'cancel', 'fill'];
const KIND_TRADE = 0;
const KIND_ORDER = 1;
const KIND_QUOTE = 2;

/**
 * The sending side for one receiver: remembers which strings that receiver's table already has.
 * Both tables grow with the distinct symbols and accounts of the run (ids are never tabled).
 */
export class ColumnEncoder {
  private readonly table = new Map<string, number>();
  private fresh: string[] = [];

  /**
   * Encodes events; `clock[i]` is the latest event time the whole stream had reached at
   * `events[i]` (what a single engine's `now` would be there).
   */
  encode(events: readonly MarketEvent[], clock: readonly number[]): EventColumns {
    const n = events.length;
    const buffer = new ArrayBuffer(n * (NUMS * 8 + REFS * 4));
    const nums = new Float64Array(buffer, 0, n * NUMS);
    const refs = new Int32Array(buffer, n * NUMS * 8, n * REFS);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = events[i]!;
      const f = i * NUMS;
      const r = i * REFS;
      nums[f] = e.tsMs;
      nums[f + 1] = clock[i]!;
      refs[r + 1] = this.ref(e.symbol);
      switch (e.type) {
        case 'trade':
          nums[f + 2] = e.price;
          nums[f + 3] = e.qty;
          refs[r] = KIND_TRADE | (SIDES.indexOf(e.side) << 2);
          refs[r + 2] = this.ref(e.buyer);
          refs[r + 3] = this.ref(e.seller);
          ids.push(e.tradeId);
          break;
        case 'order':
          nums[f + 2] = e.price;
          nums[f + 3] = e.qty;
          refs[r] = KIND_ORDER | (SIDES.indexOf(e.side) << 2) | (ACTIONS.indexOf(e.action) << 4);
          refs[r + 2] = this.ref(e.account);
          ids.push(e.orderId);
          break;
        case 'quote':
          nums[f + 2] = e.bidPrice;
          nums[f + 3] = e.bidQty;
          nums[f + 4] = e.askPrice;
          nums[f + 5] = e.askQty;
          refs[r] = KIND_QUOTE;
          break;
        default:
          assertNever(e, 'event type');
      }
    }
    const strings = this.fresh;
    this.fresh = [];
    return { count: n, buffer, ids, strings };
  }

  private ref(s: string): number {
    let id = this.table.get(s);
    if (id === undefined) {
      id = this.table.size;
      this.table.set(s, id);
      this.fresh.push(s);
    }
    return id;
  }
}

/** The receiving side: the string table grows with each batch's new strings. */
export class ColumnDecoder {
  private readonly table: string[] = [];

  /** The events and, per event, the stream's clock there. */
  decode(batch: EventColumns): { events: MarketEvent[]; clock: Float64Array } {
    for (const s of batch.strings) this.table.push(s);
    const n = batch.count;
    const nums = new Float64Array(batch.buffer, 0, n * NUMS);
    const refs = new Int32Array(batch.buffer, n * NUMS * 8, n * REFS);
    const clock = new Float64Array(n);
    const events: MarketEvent[] = new Array<MarketEvent>(n);
    const table = this.table;
    let id = 0;
    for (let i = 0; i < n; i++) {
      const f = i * NUMS;
      const r = i * REFS;
      const code = refs[r]!;
      const symbol = table[refs[r + 1]!]!;
      clock[i] = nums[f + 1]!;
      switch (code & 3) {
        case KIND_TRADE:
          events[i] = {
            type: 'trade',
            tsMs: nums[f]!,
            symbol,
            price: nums[f + 2]!,
            qty: nums[f + 3]!,
            buyer: table[refs[r + 2]!]!,
            seller: table[refs[r + 3]!]!,
            tradeId: batch.ids[id++]!,
            side: SIDES[(code >> 2) & 3],
          };
          break;
        case KIND_ORDER:
          events[i] = {
            type: 'order',
            tsMs: nums[f]!,
            symbol,
            orderId: batch.ids[id++]!,
            account: table[refs[r + 2]!]!,
            side: SIDES[(code >> 2) & 3]!,
            action: ACTIONS[(code >> 4) & 3]!,
            price: nums[f + 2]!,
            qty: nums[f + 3]!,
          };
          break;
        default:
          events[i] = {
            type: 'quote',
            tsMs: nums[f]!,
            symbol,
            bidPrice: nums[f + 2]!,
            bidQty: nums[f + 3]!,
            askPrice: nums[f + 4]!,
            askQty: nums[f + 5]!,
          };
      }
    }
    return { events, clock };
  }
}
