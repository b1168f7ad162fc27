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
 * Keys are not strings and not objects: the keys of the last `DEDUP_HORIZON_MS` are parallel columns
 * in arrival order (a key costs a few array slots, not an object that lives through several
 * collections), chained by millisecond through a small hash table of chain heads. Expiry only
 * moves the head of the columns: a chain walk stops at the first expired key, so nothing is unlinked.
 *
 * Detectors that need only which legs of a trade are new (not the leg objects) call `markTrade`,
 * which allocates nothing; `fromTrade` builds the legs for those that want them.
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

/** Smallest hash table of chain heads (a power of two). */
const MIN_BUCKETS = 64;

/** `markTrade` bits: the trade's buy leg is new, its sell leg is new. */
export const BUY_LEG = 1;
export const SELL_LEG = 2;

/** The chain of a millisecond in a table of `size` (a power of two) buckets: its low bits. */
function bucketOf(tsMs: number, size: number): number {
  return tsMs & (size - 1);
}

/** Whether a trade whose new legs are `fresh` (from `markTrade`) is a new execution with both accounts known (when both legs were already reported by fills, the fills formed or will form it). */
export function isExecution(t: Trade, fresh: number): boolean {
  return fresh !== 0 && t.buyer !== '' && t.seller !== '';
}

function tradeLeg(t: Trade, side: Side, account: string): Leg {
  return { tsMs: t.tsMs, symbol: t.symbol, side, account, price: t.price, qty: t.qty, aggressor: t.side, id: t.tradeId, fromFill: false };
}

/** The order ids of a trade's execution: one shared empty list, as detectors keep executions for a window. */
const NO_ORDER_IDS: readonly string[] = [];

/** A trade as an execution. */
export function tradeExecution(t: Trade): Execution {
  return {
    tsMs: t.tsMs,
    symbol: t.symbol,
    buyer: t.buyer,
    seller: t.seller,
    price: t.price,
    qty: t.qty,
    aggressor: t.side,
    id: t.tradeId,
    orderIds: NO_ORDER_IDS,
  };
}

/** De-duplicates trades and fills into legs and executions. One instance per detector. */
export class AccountExecutions {
  /** Leg keys in arrival order, one column per field; the live ones are those from `head` on. */
  private readonly keyTs: number[] = [];
  private readonly keySymbol: string[] = [];
  private readonly keySide: Side[] = [];
  private readonly keyAccount: string[] = [];
  private readonly keyPrice: number[] = [];
  private readonly keyQty: number[] = [];
  /** How often each source reported the key. */
  private readonly byTrade: number[] = [];
  private readonly byFill: number[] = [];
  /** Hash chains by millisecond: `chainHead[bucket]` is the newest key of the bucket + 1 (0: none), `olderKey[i]` the next one (-1: none). */
  private chainHead = new Int32Array(MIN_BUCKETS);
  private readonly olderKey: number[] = [];
  private head = 0;
  /** Fills not yet paired with their opposite fill, by millisecond, in arrival order. */
  private readonly pending = new Map<number, PendingFill[]>();
  /** Fill groups (time, symbol, price, qty) in the order they were opened, for expiry. */
  private readonly pendingOrder: PendingKey[] = [];
  private pendingHead = 0;
  /** Number of open fill groups (what `size` counted as keys before). */
  private pendingKeys = 0;

  /** Records a trade's two legs; which of them are new, as `BUY_LEG` | `SELL_LEG` bits (0: both seen already). */
  markTrade(t: Trade): number {
    let fresh = 0;
    if (this.mark(t.tsMs, t.symbol, 'buy', t.buyer, t.price, t.qty, true)) fresh |= BUY_LEG;
    if (this.mark(t.tsMs, t.symbol, 'sell', t.seller, t.price, t.qty, true)) fresh |= SELL_LEG;
    return fresh;
  }

  /** The new legs of a trade (0..2) and its execution when both accounts are known and not yet seen. */
  fromTrade(t: Trade): { legs: Leg[]; execution: Execution | undefined } {
    const fresh = this.markTrade(t);
    const legs: Leg[] = [];
    if (fresh & BUY_LEG) legs.push(tradeLeg(t, 'buy', t.buyer));
    if (fresh & SELL_LEG) legs.push(tradeLeg(t, 'sell', t.seller));
    return { legs, execution: isExecution(t, fresh) ? tradeExecution(t) : undefined };
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
    if (!this.mark(o.tsMs, o.symbol, o.side, o.account, o.price, o.qty, false)) return { legs: [], execution: undefined };
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
    const n = this.keyTs.length;
    let h = this.head;
    while (h < n && this.keyTs[h]! < cutoff) h++;
    this.head = h;
    if (h > 1024 && h * 2 > n) this.compact();
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
    return this.keyTs.length - this.head + this.pendingKeys;
  }

  /** Records a leg from one source (`fromTrade` or a fill); true when it is new (not yet reported by the other source). */
  private mark(tsMs: number, symbol: string, side: Side, account: string, price: number, qty: number, fromTrade: boolean): boolean {
    const bucket = bucketOf(tsMs, this.chainHead.length);
    // Newest first; keys before `head` have expired, and so has everything older in the chain.
    let i = this.chainHead[bucket]! - 1;
    while (i >= this.head) {
      if (
        this.keyTs[i] === tsMs &&
        this.keySymbol[i] === symbol &&
        this.keySide[i] === side &&
        this.keyAccount[i] === account &&
        sameNumber(this.keyPrice[i]!, price) &&
        sameNumber(this.keyQty[i]!, qty)
      )
        break;
      i = this.olderKey[i]!;
    }
    if (i < this.head) {
      i = this.keyTs.length;
      this.keyTs.push(tsMs);
      this.keySymbol.push(symbol);
      this.keySide.push(side);
      this.keyAccount.push(account);
      this.keyPrice.push(price);
      this.keyQty.push(qty);
      this.byTrade.push(0);
      this.byFill.push(0);
      this.olderKey.push(this.chainHead[bucket]! - 1);
      this.chainHead[bucket] = i + 1;
      if (i - this.head >= this.chainHead.length) this.rechain();
    }
    if (fromTrade) return ++this.byTrade[i]! > this.byFill[i]!;
    return ++this.byFill[i]! > this.byTrade[i]!;
  }

  /** Drops the expired keys from the columns (their positions change, so the chains are rebuilt). */
  private compact(): void {
    const h = this.head;
    for (const column of [
      this.keyTs,
      this.keySymbol,
      this.keySide,
      this.keyAccount,
      this.keyPrice,
      this.keyQty,
      this.byTrade,
      this.byFill,
    ]) {
      column.splice(0, h);
    }
    this.olderKey.length = this.keyTs.length;
    this.head = 0;
    this.rechain();
  }

  /** Rebuilds the chains of the live keys in a table of about one bucket per key (grown or shrunk to fit). */
  private rechain(): void {
    const live = this.keyTs.length - this.head;
    let size = MIN_BUCKETS;
    while (size < 2 * live) size *= 2;
    if (size !== this.chainHead.length) this.chainHead = new Int32Array(size);
    else this.chainHead.fill(0);
    for (let i = this.head; i < this.keyTs.length; i++) {
      const bucket = bucketOf(this.keyTs[i]!, size);
      this.olderKey[i] = this.chainHead[bucket]! - 1;
      this.chainHead[bucket] = i + 1;
    }
  }
}

// Part of the checkpointed state of every detector that uses it.
stateClass(AccountExecutions);
