import type { EpochMs, OrderEvent, Side, Trade } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';

/**
 * Account-level view of executions for detectors that need who traded with whom (wash trading,
 * concentration, timing). Venue data often reports one execution twice: as a `Trade` (buyer,
 * seller) and as the `fill` events of the two orders. This helper turns either or both into
 * de-duplicated legs (one account, one side) and, when both accounts are known, pairs
 * (buyer → seller), so nothing is counted twice and nothing is lost when only one form is present.
 *
 * De-duplication is a multiset per leg key (time, side, account, price, qty) with a count per
 * source: a leg is new only while its source has reported it more often than the other source, so
 * two genuinely identical executions in the same millisecond still count twice.
 */

/** One side of one execution. `account` is '' when the feed does not name it. */
export interface Leg {
  readonly tsMs: EpochMs;
  readonly symbol: string;
  readonly side: Side;
  readonly account: string;
  readonly price: number;
  readonly qty: number;
  /** Aggressor side of the execution, when known (from the trade). */
  readonly aggressor: Side | undefined;
  /** Trade id, or the order id for a fill. */
  readonly id: string;
  readonly fromFill: boolean;
}

/** One execution with both accounts known. */
export interface Execution {
  readonly tsMs: EpochMs;
  readonly symbol: string;
  readonly buyer: string;
  readonly seller: string;
  readonly price: number;
  readonly qty: number;
  readonly aggressor: Side | undefined;
  /** Trade id, or "buyOrderId/sellOrderId" when paired from fills. */
  readonly id: string;
  readonly orderIds: readonly string[];
}

interface Counts {
  tsMs: number;
  trade: number;
  fill: number;
}

interface PendingFill {
  readonly leg: Leg;
  readonly orderId: string;
}

/** How long (event time) a leg key is remembered: the engine's reorder window with a margin. */
const DEDUP_HORIZON_MS = 10_000;

/** De-duplicates trades and fills into legs and executions. One instance per detector. */
export class AccountExecutions {
  private readonly counts = new Map<string, Counts>();
  /** Keys in arrival order for expiry (event time is nearly ordered). */
  private readonly order: { key: string; tsMs: number }[] = [];
  private head = 0;
  /** Fills not yet paired with their opposite fill, by time|symbol|price|qty. */
  private readonly pending = new Map<string, PendingFill[]>();
  private readonly pendingOrder: { key: string; tsMs: number }[] = [];
  private pendingHead = 0;

  /** The new legs of a trade (0..2) and its execution when both accounts are known and not yet seen. */
  fromTrade(t: Trade): { legs: Leg[]; execution: Execution | undefined } {
    const buy: Leg = {
      tsMs: t.tsMs,
      symbol: t.symbol,
      side: 'buy',
      account: t.buyer,
      price: t.price,
      qty: t.qty,
      aggressor: t.side,
      id: t.tradeId,
      fromFill: false,
    };
    const sell: Leg = { ...buy, side: 'sell', account: t.seller };
    const legs: Leg[] = [];
    if (this.mark(buy, 'trade')) legs.push(buy);
    if (this.mark(sell, 'trade')) legs.push(sell);
    // Both legs already reported by fills: the fills formed (or will form) the execution.
    const execution: Execution | undefined =
      t.buyer !== '' && t.seller !== '' && legs.length > 0
        ? {
            tsMs: t.tsMs,
            symbol: t.symbol,
            buyer: t.buyer,
            seller: t.seller,
            price: t.price,
            qty: t.qty,
            aggressor: t.side,
            id: t.tradeId,
            orderIds: [],
          }
        : undefined;
    return { legs, execution };
  }

  /** The new leg of a fill (if not already reported by a trade) and the execution it completes with its opposite fill. */
  fromFill(o: OrderEvent): { legs: Leg[]; execution: Execution | undefined } {
    if (o.action !== 'fill') return { legs: [], execution: undefined };
    const leg: Leg = {
      tsMs: o.tsMs,
      symbol: o.symbol,
      side: o.side,
      account: o.account,
      price: o.price,
      qty: o.qty,
      aggressor: undefined,
      id: o.orderId,
      fromFill: true,
    };
    if (!this.mark(leg, 'fill')) return { legs: [], execution: undefined };
    if (o.account === '') return { legs: [leg], execution: undefined };
    const key = `${o.tsMs}|${o.symbol}|${o.price}|${o.qty}`;
    const list = this.pending.get(key);
    const matchAt = list ? list.findIndex((p) => p.leg.side !== o.side) : -1;
    if (list && matchAt >= 0) {
      const other = list[matchAt]!;
      list.splice(matchAt, 1);
      if (list.length === 0) this.pending.delete(key);
      const buyLeg = o.side === 'buy' ? leg : other.leg;
      const sellLeg = o.side === 'buy' ? other.leg : leg;
      const orderIds = [buyLeg.id, sellLeg.id];
      return {
        legs: [leg],
        execution: {
          tsMs: o.tsMs,
          symbol: o.symbol,
          buyer: buyLeg.account,
          seller: sellLeg.account,
          price: o.price,
          qty: o.qty,
          aggressor: undefined,
          id: `${buyLeg.id}/${sellLeg.id}`,
          orderIds,
        },
      };
    }
    if (list) list.push({ leg, orderId: o.orderId });
    else {
      this.pending.set(key, [{ leg, orderId: o.orderId }]);
      this.pendingOrder.push({ key, tsMs: o.tsMs });
    }
    return { legs: [leg], execution: undefined };
  }

  /** Forgets keys older than the de-duplication horizon (call from `onTime`). */
  expire(nowMs: number): void {
    const cutoff = nowMs - DEDUP_HORIZON_MS;
    while (this.head < this.order.length && this.order[this.head]!.tsMs < cutoff) {
      const { key, tsMs } = this.order[this.head++]!;
      const c = this.counts.get(key);
      if (c && c.tsMs === tsMs) this.counts.delete(key);
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
    while (this.pendingHead < this.pendingOrder.length && this.pendingOrder[this.pendingHead]!.tsMs < cutoff) {
      this.pending.delete(this.pendingOrder[this.pendingHead++]!.key);
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pendingOrder.length) {
      this.pendingOrder.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Number of keys held (tests: memory stays bounded). */
  get size(): number {
    return this.counts.size + this.pending.size;
  }

  /** Records a leg from one source; true when it is new (not yet reported by the other source). */
  private mark(leg: Leg, source: 'trade' | 'fill'): boolean {
    const key = `${leg.tsMs}|${leg.symbol}|${leg.side}|${leg.account}|${leg.price}|${leg.qty}`;
    let c = this.counts.get(key);
    if (!c) {
      c = { tsMs: leg.tsMs, trade: 0, fill: 0 };
      this.counts.set(key, c);
      this.order.push({ key, tsMs: leg.tsMs });
    }
    c[source]++;
    return source === 'trade' ? c.trade > c.fill : c.fill > c.trade;
  }
}

// Part of the checkpointed state of every detector that uses it.
stateClass(AccountExecutions);
