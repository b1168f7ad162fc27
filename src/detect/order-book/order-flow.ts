import type { Config } from '../../config/config.js';
import type { EpochMs, MarketEvent, OrderEvent, Trade } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';
import type { SharedState } from '../detector.js';
import { ExecutionLog, NO_EXECUTION, type ExecutionRef } from './executions.js';
import { OrderBook, type LiveOrder } from './order-book.js';

/** What one order event did to the book, and the execution a `fill` recorded. */
export interface OrderResult {
  /** Undefined for events of orders never seen. */
  readonly order: LiveOrder | undefined;
  /** The order left the book (fully filled or cancelled) with this event. */
  readonly removed: boolean;
  /** A fill's execution; NO_EXECUTION when it merged into one already recorded (or is no fill). */
  readonly execution: ExecutionRef;
}

/**
 * The executions a trade recorded for its buyer and seller (NO_EXECUTION: none, merged into one
 * already recorded, or a symbol without order events, where no reader has anything to match them with).
 */
export interface TradeResult {
  readonly buy: ExecutionRef;
  readonly sell: ExecutionRef;
}

/**
 * The order book and execution log the order-flow detectors (spoofing, layering) read, kept once
 * per engine: each detector hands every event to `onOrder`/`onTrade`, the first call applies it and
 * the next ones (the same event object) get the same result. Applying the book twice was a quarter
 * of their time. The detectors stay independent: each reads only the flow, never the other's state.
 *
 * Executions are kept spoofing_cancel_ms + 1 s whichever detectors run (spoofing matches a cancel
 * with the executions since the order's placement; layering only merges reports of the same
 * instant), so a detector's alerts do not depend on which others run.
 */
export class OrderFlow {
  readonly book: OrderBook;
  readonly executions: ExecutionLog;
  /** The event last applied (compared by identity: the engine gives every detector the same object). */
  private last: MarketEvent | undefined;
  /** Results of the last event, reused (read them before the next event). */
  private readonly order: { order: LiveOrder | undefined; removed: boolean; execution: ExecutionRef } = {
    order: undefined,
    removed: false,
    execution: NO_EXECUTION,
  };
  private readonly trade: { buy: ExecutionRef; sell: ExecutionRef } = { buy: NO_EXECUTION, sell: NO_EXECUTION };
  /** The `now` of the last expiry (every reader expires on its tick; once is enough). */
  private expiredAt = -Infinity;

  constructor(config: Config) {
    this.book = new OrderBook(config.thresholds.order_book_horizon_ms);
    this.executions = new ExecutionLog(config.thresholds.spoofing_cancel_ms + 1_000);
  }

  /** The engine's flow (built by the first detector that asks). */
  static of(shared: SharedState, config: Config): OrderFlow {
    return shared.get('order-book.OrderFlow', () => new OrderFlow(config));
  }

  onOrder(e: OrderEvent): OrderResult {
    if (e !== this.last) {
      this.last = e;
      this.executions.watch(e.symbol);
      const { order, removed } = this.book.apply(e);
      this.order.order = order;
      this.order.removed = removed;
      this.order.execution = e.action === 'fill' ? this.executions.fromFill(e) : NO_EXECUTION;
    }
    return this.order;
  }

  /** Records both sides of the trade before either is judged (as one trade). */
  onTrade(t: Trade): TradeResult {
    if (t !== this.last) {
      this.last = t;
      if (this.executions.watching(t.symbol)) {
        this.trade.buy = this.executions.fromTradeSide(t, 'buy');
        this.trade.sell = this.executions.fromTradeSide(t, 'sell');
      } else {
        // No order event in the symbol yet: nothing can match these executions now (see ExecutionLog).
        this.executions.defer(t);
        this.trade.buy = NO_EXECUTION;
        this.trade.sell = NO_EXECUTION;
      }
    }
    return this.trade;
  }

  expire(nowMs: EpochMs): void {
    if (nowMs === this.expiredAt) return;
    this.expiredAt = nowMs;
    this.book.expire(nowMs);
    this.executions.expire(nowMs);
  }
}
stateClass(OrderFlow, 'order-book.OrderFlow');
