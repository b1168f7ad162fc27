/**
 * Market events: the immutable facts the engine consumes. Every event carries its event time
 * (`tsMs`, epoch milliseconds UTC) and where it came from (`source`, "file:line") so a rejected or
 * flagged event can always be traced back to its input.
 */

/** Epoch milliseconds, UTC. */
export type EpochMs = number;

export type Side = 'buy' | 'sell';

/** An execution on the public tape or from a broker's own records. */
export interface Trade {
  readonly type: 'trade';
  readonly tsMs: EpochMs;
  readonly symbol: string;
  readonly price: number;
  readonly qty: number;
  /** Buying account id; '' when the tape is anonymous. */
  readonly buyer: string;
  /** Selling account id; '' when the tape is anonymous. */
  readonly seller: string;
  /** Venue trade id, or a deterministic one made from the source position when absent. */
  readonly tradeId: string;
  /** Aggressor (taker) side, when known. */
  readonly side?: Side | undefined;
}

export type OrderAction = 'new' | 'modify' | 'cancel' | 'fill';

/**
 * One step of an order's life. `new`: limit price and size; `modify`: the new price and size;
 * `cancel`: the price and the remaining size cancelled; `fill`: execution price and executed size.
 */
export interface OrderEvent {
  readonly type: 'order';
  readonly tsMs: EpochMs;
  readonly symbol: string;
  readonly orderId: string;
  /** Account id; '' when the feed carries no owner (market-by-order feeds). */
  readonly account: string;
  readonly side: Side;
  readonly action: OrderAction;
  readonly price: number;
  readonly qty: number;
}

/** Best bid and offer: market context (spread, touch) for detectors that want it. */
export interface Quote {
  readonly type: 'quote';
  readonly tsMs: EpochMs;
  readonly symbol: string;
  readonly bidPrice: number;
  readonly bidQty: number;
  readonly askPrice: number;
  readonly askQty: number;
}

export type MarketEvent = Trade | OrderEvent | Quote;

/** Compile-time exhaustiveness check for discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** Any value as display text: strings as they are, objects as JSON, nothing as ''. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v) ?? '';
}
