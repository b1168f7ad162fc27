import type { MarketEvent } from '../../domain/events.js';

/** The canonical CSV header: one file holds trades and order events, a row's `type` says which. */
export const CANONICAL_HEADER = 'type,ts,symbol,price,qty,buyer,seller,trade_id,order_id,account,side,action';

/** One event as a canonical CSV row (no newline); quotes have no canonical row. */
export function canonicalLine(e: MarketEvent): string | undefined {
  switch (e.type) {
    case 'trade':
      return `trade,${e.tsMs},${e.symbol},${e.price},${e.qty},${e.buyer ?? ''},${e.seller ?? ''},${e.tradeId},,,${e.side ?? ''},`;
    case 'order':
      return `order,${e.tsMs},${e.symbol},${e.price},${e.qty},,,,${e.orderId},${e.account},${e.side},${e.action}`;
    case 'quote':
      return undefined;
  }
}
