import type { OrderEvent, Side, Trade } from '../domain/events.js';

/** Builds a trade with defaults (tests). */
export function trade(tsMs: number, over: Partial<Trade> = {}): Trade {
  return { type: 'trade', tsMs, symbol: 'XYZ', price: 100, qty: 10, buyer: '', seller: '', tradeId: `t${tsMs}`, ...over };
}

/** Builds an order event with defaults (tests). */
export function orderEvent(
  tsMs: number,
  orderId: string,
  action: OrderEvent['action'],
  over: Partial<OrderEvent> & { side?: Side } = {},
): OrderEvent {
  return { type: 'order', tsMs, symbol: 'XYZ', orderId, account: 'A', side: 'buy', action, price: 100, qty: 10, ...over };
}
