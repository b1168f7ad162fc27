import type { EpochMs, OrderEvent, Side, Trade } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';

/**
 * Account-level view of executions for detectors that need who traded with whom (wash trading,
 * concentration, timing). Venue data often reports one execution twice: as a `Trade` (buyer,
 * seller) and as the `fill` events of the two orders. This helper turns either or both into
 * de-duplicated legs (one account, one side) and, when both accounts are known, pairs
 * (buyer → seller), so nothing is counted twice and nothing is lost when only one form is present.
 *
 * De-duplication is a multiset per leg key (time, symbol, side, account, price, qty) with a count
 * per source: a leg is new only while its source has reported it more often than the other source,
 * so two genuinely identical executions in the same millisecond still count twice.
 *
 * Keys are not strings: legs are bucketed by their millisecond and compared field by field within
 * the bucket (a handful of legs share a millisecond), which saves formatting the price and time as
 * text for every leg (that formatting was most of the cost of the de-duplication).
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

/** One leg key and how often each source reported it. */
interface Counts {
  readonly tsMs: number;
  readonly symbol: string;
  readonly side: Side;
  readonly account: string;
  readonly price: number;
  readonly qty: number;
  trade: number;
  fill: number;
}

interface PendingFill {
  readonly leg: Leg;
  readonly orderId: string;
}

/** When a group of pending fills (same time, symbol, price, qty) was first opened, for expiry. */
interface PendingKey {
  readonly tsMs: number;
  readonly symbol: string;
  readonly price: number;
  readonly qty: number;
}

/** Numbers equal as the text keys compared them ("0" = "-0", "NaN" = "NaN"). */
function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function samePendingKey(leg: Leg, k: PendingKey): boolean {
  return leg.symbol === k.symbol && sameNumber(leg.price, k.price) && sameNumber(leg.qty, k.qty);
}

/** How long (event time) a leg key is remembered: the engine's reorder window with a margin. */
const DEDUP_HORIZON_MS = 10_000;

/** De-duplicates trades and fills into legs and executions. One instance per detector. */
export class AccountExecutions {
  /** Leg keys by millisecond. */
  private readonly counts = new Map<number, Counts[]>();
  /** Keys in arrival order for expiry (event time is nearly ordered). */
  private readonly order: Counts[] = [];
  private head = 0;
  /** Fills not yet paired with their opposite fill, by millisecond, in arrival order. */
  private readonly pending = new Map<number, PendingFill[]>();
  /** Fill groups (time, symbol, price, qty) in the order they were opened, for expiry. */
  private readonly pendingOrder: PendingKey[] = [];
  private pendingHead = 0;
  /** Number of open fill groups (what `size` counted as keys before). */
  private pendingKeys = 0;

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
    const sell: Leg = {
      tsMs: t.tsMs,
      symbol: t.symbol,
      side: 'sell',
      account: t.seller,
      price: t.price,
      qty: t.qty,
      aggressor: t.side,
      id: t.tradeId,
      fromFill: false,
    };
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
    // The first pending fill of the same group (time, symbol, price, qty) on the other side, if any.
    const list = this.pending.get(o.tsMs);
    let matchAt = -1;
    let groupOpen = false;
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const p = list[i]!.leg;
        if (p.symbol !== o.symbol || !sameNumber(p.price, o.price) || !sameNumber(p.qty, o.qty)) continue;
        groupOpen = true;
        if (p.side !== o.side) {
          matchAt = i;
          break;
        }
      }
    }
    if (list && matchAt >= 0) {
      const other = list[matchAt]!;
      list.splice(matchAt, 1);
      if (!list.some((p) => samePendingKey(p.leg, leg))) this.pendingKeys--;
      if (list.length === 0) this.pending.delete(o.tsMs);
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
    else this.pending.set(o.tsMs, [{ leg, orderId: o.orderId }]);
    if (!groupOpen) {
      this.pendingOrder.push({ tsMs: o.tsMs, symbol: o.symbol, price: o.price, qty: o.qty });
      this.pendingKeys++;
    }
    return { legs: [leg], execution: undefined };
  }

  /** Forgets keys older than the de-duplication horizon (call from `onTime`). */
  expire(nowMs: number): void {
    const cutoff = nowMs - DEDUP_HORIZON_MS;
    while (this.head < this.order.length && this.order[this.head]!.tsMs < cutoff) {
      const c = this.order[this.head++]!;
      const bucket = this.counts.get(c.tsMs)!;
      if (bucket.length === 1) this.counts.delete(c.tsMs);
      else bucket.splice(bucket.indexOf(c), 1);
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
    while (this.pendingHead < this.pendingOrder.length && this.pendingOrder[this.pendingHead]!.tsMs < cutoff) {
      // Drops the whole group (as deleting its key did), even fills that joined it later.
      const k = this.pendingOrder[this.pendingHead++]!;
      const list = this.pending.get(k.tsMs);
      if (!list) continue;
      const kept = list.filter((p) => !samePendingKey(p.leg, k));
      if (kept.length === list.length) continue; // the group was closed by matches already
      this.pendingKeys--;
      if (kept.length === 0) this.pending.delete(k.tsMs);
      else this.pending.set(k.tsMs, kept);
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pendingOrder.length) {
      this.pendingOrder.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Number of keys held (tests: memory stays bounded). */
  get size(): number {
    return this.order.length - this.head + this.pendingKeys;
  }

  /** Records a leg from one source; true when it is new (not yet reported by the other source). */
  private mark(leg: Leg, source: 'trade' | 'fill'): boolean {
    let bucket = this.counts.get(leg.tsMs);
    if (!bucket) this.counts.set(leg.tsMs, (bucket = []));
    let c: Counts | undefined;
    for (const x of bucket) {
      if (
        x.symbol === leg.symbol &&
        x.side === leg.side &&
        x.account === leg.account &&
        sameNumber(x.price, leg.price) &&
        sameNumber(x.qty, leg.qty)
      ) {
        c = x;
        break;
      }
    }
    if (!c) {
      c = { tsMs: leg.tsMs, symbol: leg.symbol, side: leg.side, account: leg.account, price: leg.price, qty: leg.qty, trade: 0, fill: 0 };
      bucket.push(c);
      this.order.push(c);
    }
    c[source]++;
    return source === 'trade' ? c.trade > c.fill : c.fill > c.trade;
  }
}

// Part of the checkpointed state of every detector that uses it.
stateClass(AccountExecutions);
