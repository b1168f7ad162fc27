import type { EpochMs, OrderEvent, Side, Trade } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';
import type { SharedState } from '../detector.js';

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
 * Detectors that need only which legs are new (not the leg objects) call `markTrade` and
 * `markFill` (legs only) or `pairFill` (legs and fill-paired executions), which build no `Leg`;
 * `fromTrade` and `fromFill` build the legs for those that want them.
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

/** A fill waiting for its opposite fill (one object: what pairing and the execution need). */
interface PendingFill {
  readonly symbol: string;
  readonly side: Side;
  readonly account: string;
  readonly price: number;
  readonly qty: number;
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

function samePendingKey(p: PendingFill, k: PendingKey): boolean {
  return p.symbol === k.symbol && sameNumber(p.price, k.price) && sameNumber(p.qty, k.qty);
}

/** Whether a pending fill of the group (symbol, price, qty) is still in `list` (one millisecond's). */
function hasGroup(list: readonly PendingFill[], symbol: string, price: number, qty: number): boolean {
  for (const p of list) if (p.symbol === symbol && sameNumber(p.price, price) && sameNumber(p.qty, qty)) return true;
  return false;
}

/** How long (event time) a leg key is remembered: the engine's reorder window with a margin. */
const DEDUP_HORIZON_MS = 10_000;

/** Smallest hash table of chain heads (a power of two). */
const MIN_BUCKETS = 64;

/** Smallest ring of leg keys (a power of two). */
const MIN_KEYS = 64;

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
  /**
   * Leg keys in a ring, one column per field, addressed by sequence number (`seq & mask`): the live
   * keys are the sequence numbers `head` .. `end - 1`. Expiry only moves `head`, and the ring grows
   * by doubling when full, so steady state allocates nothing per event (the previous arrays were
   * spliced on compaction and regrown by push: ~215 MB per 1M trades per instance). Sequence
   * numbers never change, so chains survive growth; they are doubles (2^53, not 2^31, events).
   */
  private keyTs = new Float64Array(MIN_KEYS);
  private keySymbol: string[] = new Array<string>(MIN_KEYS).fill('');
  /** 1: buy, 0: sell. */
  private keyBuy = new Uint8Array(MIN_KEYS);
  private keyAccount: string[] = new Array<string>(MIN_KEYS).fill('');
  private keyPrice = new Float64Array(MIN_KEYS);
  private keyQty = new Float64Array(MIN_KEYS);
  /** How often each source reported the key. */
  private byTrade = new Int32Array(MIN_KEYS);
  private byFill = new Int32Array(MIN_KEYS);
  /** The next older key (sequence number) of the same hash chain (-1: none). */
  private olderKey = new Float64Array(MIN_KEYS);
  private mask = MIN_KEYS - 1;
  /** Hash chains by millisecond: `chainHead[bucket]` is the newest key's sequence number of the bucket (-1: none). */
  private chainHead = new Float64Array(MIN_BUCKETS).fill(-1);
  private head = 0;
  private end = 0;
  /** Fills not yet paired with their opposite fill, by millisecond, in arrival order. */
  private readonly pending = new Map<number, PendingFill[]>();
  /** Fill groups (time, symbol, price, qty) in the order they were opened, for expiry. */
  private readonly pendingOrder: PendingKey[] = [];
  private pendingHead = 0;
  /** Number of open fill groups (what `size` counted as keys before). */
  private pendingKeys = 0;
  /** The execution the last `pairFill` completed, if any. */
  paired: Execution | undefined = undefined;

  /** Records a trade's two legs; which of them are new, as `BUY_LEG` | `SELL_LEG` bits (0: both seen already). */
  markTrade(t: Trade): number {
    let fresh = 0;
    if (this.mark(t.tsMs, t.symbol, 'buy', t.buyer, t.price, t.qty, true)) fresh |= BUY_LEG;
    if (this.mark(t.tsMs, t.symbol, 'sell', t.seller, t.price, t.qty, true)) fresh |= SELL_LEG;
    return fresh;
  }

  /**
   * Records a fill's leg; `BUY_LEG` or `SELL_LEG` (its side) when it is new, 0 when a trade reported
   * it already or it is not a fill. For detectors that need only the legs (not executions): unlike
   * `fromFill` it builds no `Leg` and does not pair fills, so allocates nothing. Do not mix with
   * `fromFill` on one instance (pairing would miss the fills marked here).
   */
  markFill(o: OrderEvent): number {
    if (o.action !== 'fill') return 0;
    if (!this.mark(o.tsMs, o.symbol, o.side, o.account, o.price, o.qty, false)) return 0;
    return o.side === 'buy' ? BUY_LEG : SELL_LEG;
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
    if (this.pairFill(o) === 0) return { legs: [], execution: undefined };
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
    return { legs: [leg], execution: this.paired };
  }

  /**
   * What `fromFill` does without building the leg: `BUY_LEG` or `SELL_LEG` (the fill's side) when
   * its leg is new, 0 when a trade reported it already or it is not a fill; `paired` is then the
   * execution it completed with its opposite fill, if any (until the next call).
   */
  pairFill(o: OrderEvent): number {
    this.paired = undefined;
    if (o.action !== 'fill') return 0;
    if (!this.mark(o.tsMs, o.symbol, o.side, o.account, o.price, o.qty, false)) return 0;
    const fresh = o.side === 'buy' ? BUY_LEG : SELL_LEG;
    if (o.account === '') return fresh;
    // The first pending fill of the same group (time, symbol, price, qty) on the other side, if any.
    const list = this.pending.get(o.tsMs);
    let matchAt = -1;
    let groupOpen = false;
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const p = list[i]!;
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
      if (!hasGroup(list, o.symbol, o.price, o.qty)) this.pendingKeys--; // the group closed
      if (list.length === 0) this.pending.delete(o.tsMs);
      const buy = o.side === 'buy';
      const buyId = buy ? o.orderId : other.orderId;
      const sellId = buy ? other.orderId : o.orderId;
      this.paired = {
        tsMs: o.tsMs,
        symbol: o.symbol,
        buyer: buy ? o.account : other.account,
        seller: buy ? other.account : o.account,
        price: o.price,
        qty: o.qty,
        aggressor: undefined,
        id: `${buyId}/${sellId}`,
        orderIds: [buyId, sellId],
      };
      return fresh;
    }
    const p: PendingFill = { symbol: o.symbol, side: o.side, account: o.account, price: o.price, qty: o.qty, orderId: o.orderId };
    if (list) list.push(p);
    else this.pending.set(o.tsMs, [p]);
    if (!groupOpen) {
      this.pendingOrder.push({ tsMs: o.tsMs, symbol: o.symbol, price: o.price, qty: o.qty });
      this.pendingKeys++;
    }
    return fresh;
  }

  /** Forgets keys older than the de-duplication horizon (call from `onTime`). */
  expire(nowMs: number): void {
    const cutoff = nowMs - DEDUP_HORIZON_MS;
    const { keyTs, mask, end } = this;
    let h = this.head;
    while (h < end && keyTs[h & mask]! < cutoff) h++;
    // Expired string slots are overwritten when the ring wraps; they hold no more than a ring's worth.
    this.head = h;
    while (this.pendingHead < this.pendingOrder.length && this.pendingOrder[this.pendingHead]!.tsMs < cutoff) {
      // Drops the whole group (as deleting its key did), even fills that joined it later.
      const k = this.pendingOrder[this.pendingHead++]!;
      const list = this.pending.get(k.tsMs);
      if (!list) continue;
      // Filtered in place (no new list per group).
      let kept = 0;
      for (const p of list) if (!samePendingKey(p, k)) list[kept++] = p;
      if (kept === list.length) continue; // the group was closed by matches already
      this.pendingKeys--;
      if (kept === 0) this.pending.delete(k.tsMs);
      else list.length = kept;
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pendingOrder.length) {
      this.pendingOrder.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Number of keys held (tests: memory stays bounded). */
  get size(): number {
    return this.end - this.head + this.pendingKeys;
  }

  /** Records a leg from one source (`fromTrade` or a fill); true when it is new (not yet reported by the other source). */
  private mark(tsMs: number, symbol: string, side: Side, account: string, price: number, qty: number, fromTrade: boolean): boolean {
    const bucket = bucketOf(tsMs, this.chainHead.length);
    const buy = side === 'buy' ? 1 : 0;
    const { head, mask } = this;
    // Newest first; keys before `head` have expired, and so has everything older in the chain.
    let seq = this.chainHead[bucket]!;
    let at = -1;
    while (seq >= head) {
      const i = seq & mask;
      // Numbers before strings: a chain's keys of the same millisecond are mostly the other leg of
      // the same trade (same symbol, other side), and two equal strings that are not one object are
      // compared character by character.
      if (
        this.keyTs[i] === tsMs &&
        this.keyBuy[i] === buy &&
        sameNumber(this.keyPrice[i]!, price) &&
        sameNumber(this.keyQty[i]!, qty) &&
        this.keySymbol[i] === symbol &&
        this.keyAccount[i] === account
      ) {
        at = i;
        break;
      }
      seq = this.olderKey[i]!;
    }
    if (at < 0) {
      if (this.end - head > this.mask) this.grow();
      seq = this.end++;
      at = seq & this.mask;
      this.keyTs[at] = tsMs;
      this.keySymbol[at] = symbol;
      this.keyBuy[at] = buy;
      this.keyAccount[at] = account;
      this.keyPrice[at] = price;
      this.keyQty[at] = qty;
      this.byTrade[at] = 0;
      this.byFill[at] = 0;
      this.olderKey[at] = this.chainHead[bucket]!;
      this.chainHead[bucket] = seq;
      if (seq - head >= this.chainHead.length) this.rechain();
    }
    if (fromTrade) return ++this.byTrade[at]! > this.byFill[at]!;
    return ++this.byFill[at]! > this.byTrade[at]!;
  }

  /** Doubles the ring (when full of live keys), moving each live key to its slot in the new size. */
  private grow(): void {
    const size = 2 * (this.mask + 1);
    const mask = size - 1;
    const old = this.mask;
    const keyTs = new Float64Array(size);
    const keySymbol = new Array<string>(size).fill('');
    const keyBuy = new Uint8Array(size);
    const keyAccount = new Array<string>(size).fill('');
    const keyPrice = new Float64Array(size);
    const keyQty = new Float64Array(size);
    const byTrade = new Int32Array(size);
    const byFill = new Int32Array(size);
    const olderKey = new Float64Array(size);
    for (let seq = this.head; seq < this.end; seq++) {
      const i = seq & old;
      const j = seq & mask;
      keyTs[j] = this.keyTs[i]!;
      keySymbol[j] = this.keySymbol[i]!;
      keyBuy[j] = this.keyBuy[i]!;
      keyAccount[j] = this.keyAccount[i]!;
      keyPrice[j] = this.keyPrice[i]!;
      keyQty[j] = this.keyQty[i]!;
      byTrade[j] = this.byTrade[i]!;
      byFill[j] = this.byFill[i]!;
      olderKey[j] = this.olderKey[i]!;
    }
    this.keyTs = keyTs;
    this.keySymbol = keySymbol;
    this.keyBuy = keyBuy;
    this.keyAccount = keyAccount;
    this.keyPrice = keyPrice;
    this.keyQty = keyQty;
    this.byTrade = byTrade;
    this.byFill = byFill;
    this.olderKey = olderKey;
    this.mask = mask;
  }

  /** Rebuilds the chains of the live keys in a table of about two buckets per key (grown only: expired keys end the walks anyway). */
  private rechain(): void {
    const live = this.end - this.head;
    let size = this.chainHead.length;
    while (size < 2 * live) size *= 2;
    if (size !== this.chainHead.length) this.chainHead = new Float64Array(size);
    this.chainHead.fill(-1);
    for (let seq = this.head; seq < this.end; seq++) {
      const i = seq & this.mask;
      const bucket = bucketOf(this.keyTs[i]!, size);
      this.olderKey[i] = this.chainHead[bucket]!;
      this.chainHead[bucket] = seq;
    }
  }
}

/**
 * One `AccountExecutions` for the detectors of an engine that only mark legs (`markTrade`,
 * `markFill`; concentrated_trading and unusual_timing): the same keys were kept and looked up once
 * per detector, the largest cost of either on a tape that reports each execution as a trade and two
 * fills. Every such detector calls it once per event, in turn, with the event's object, so the
 * first call marks the legs and the others get its answer; a call with another object (or once
 * every user had its answer, so a duplicate event of the same object) marks again. `expire` is
 * called by each at a tick, with the same time: the second finds nothing left to do.
 */
export class SharedExecutions extends AccountExecutions {
  /** Detectors that call it for every event. */
  private users = 0;
  /** The event last marked, its answer, and how many users have still to ask for it. */
  private lastEvent: Trade | OrderEvent | undefined = undefined;
  private lastFresh = 0;
  private pendingUsers = 0;

  /** The engine's instance, counting the caller as one more user. */
  static of(shared: SharedState): SharedExecutions {
    const executions = shared.get('window.SharedExecutions', () => new SharedExecutions());
    executions.users++;
    return executions;
  }

  override markTrade(t: Trade): number {
    return this.askedAgain(t) ? this.lastFresh : this.answered(t, super.markTrade(t));
  }

  override markFill(o: OrderEvent): number {
    if (o.action !== 'fill') return 0;
    return this.askedAgain(o) ? this.lastFresh : this.answered(o, super.markFill(o));
  }

  override expire(nowMs: number): void {
    // Ticks come between events: no user is waiting for an answer (and the event is not kept).
    this.lastEvent = undefined;
    this.pendingUsers = 0;
    super.expire(nowMs);
  }

  /** Whether `e` is the event last marked and a user is still to ask for it (this one, then). */
  private askedAgain(e: Trade | OrderEvent): boolean {
    if (this.pendingUsers === 0 || this.lastEvent !== e) return false;
    this.pendingUsers--;
    return true;
  }

  /** Keeps the answer for the other users. */
  private answered(e: Trade | OrderEvent, fresh: number): number {
    this.lastEvent = e;
    this.lastFresh = fresh;
    this.pendingUsers = this.users - 1;
    return fresh;
  }
}

// Part of the checkpointed state of every detector that uses it.
stateClass(AccountExecutions);
stateClass(SharedExecutions);
