import type { EpochMs, OrderEvent, Side, Trade } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';
import { DeadlineQueue, visitDue } from '../window/deadline-queue.js';

/**
 * One execution of an account on one side at one instant. Venue data often reports the same
 * execution twice — as a Trade (buyer, seller) and as `fill` events of the orders involved — and an
 * aggressive order that sweeps several levels may show as several trades but one fill. So an
 * account's executions are grouped by (event time, side) and the quantity is the larger of what the
 * trades and what the fills say: either source alone, or both together, count once.
 */
export interface Execution {
  readonly tsMs: EpochMs;
  readonly side: Side;
  tradeQty: number;
  fillQty: number;
  tradeNotional: number;
  fillNotional: number;
  readonly tradeIds: string[];
  readonly orderIds: string[];
}

/** The executed quantity, counted once whichever sources reported it. */
export function execQty(x: Execution): number {
  return Math.max(x.tradeQty, x.fillQty);
}

/** Volume-weighted price of the source that reported the larger quantity. */
export function execPrice(x: Execution): number {
  return x.tradeQty >= x.fillQty ? x.tradeNotional / x.tradeQty : x.fillNotional / x.fillQty;
}

/**
 * A cancelled order still counts, for an execution reported up to this long after the cancel, as
 * resting when the execution was sent (same-instant reporting, orders in flight). Spoofing and
 * layering both use it; the log keeps an account's executions for this long after its last order
 * event (see ExecutionLog).
 */
export const EXEC_GRACE_MS = 250;

/** One (symbol, account)'s executions, oldest first, and the time it is queued for expiry under. */
interface Recent {
  readonly symbol: string;
  readonly account: string;
  readonly list: Execution[];
  /** Latest event time of the account's order events in the symbol (-Infinity: none). */
  lastOrderMs: number;
  /** When queued: its oldest execution's time, or (empty list) when its grace after `lastOrderMs` ends, in cutoff time; Infinity while not queued. */
  due: number;
}

/** Answers whether an account has live orders in a symbol (the order book). */
export interface RestingOrders {
  liveOrdersOf(symbol: string, account: string): readonly unknown[];
}

/**
 * Recent executions of each (symbol, account), kept for `horizonMs` of event time. Keyed symbol →
 * account (ingestion interns both, so no key string is built per execution). Expiry pops the keys
 * whose oldest execution is past the horizon from a deadline queue (not every key every tick).
 *
 * With `resting` (the order book) an execution is logged on arrival only when its account is
 * "watched" in the symbol: it has a list here, live orders in the book, or an order event less than
 * EXEC_GRACE_MS ago (a list then stays that long even when empty). Any other execution cannot be
 * read by anyone now: spoofing and layering match executions only with the account's live orders,
 * its cancels of the last EXEC_GRACE_MS, or orders placed later. Most executions are of such
 * accounts (every one, on a trades-only stream), and logging them was two objects, a key and two
 * queue operations each. They wait in `deferred`, as plain columns; the account's next order event
 * in the symbol replays them into its list exactly as if they had been logged on arrival (same
 * merges, same expiry: see DeferredTrades), so an order placed at or before them (the same instant,
 * or arriving late within the reorder window) still finds them, and a later execution of the same
 * instant still merges into them.
 */
export class ExecutionLog {
  private readonly bySymbol = new Map<string, Map<string, Recent>>();
  private readonly expiry = new DeadlineQueue<Recent>();
  /** Executions of accounts not watched, in arrival order, while they could still be in the log. */
  private readonly deferred = new DeferredTrades();
  /** `expire` calls so far and the cutoff of the last one (what a deferred execution was logged under). */
  private ticks = 0;
  private cutoff = -Infinity;

  /** @param resting without it every execution is logged on arrival. */
  constructor(
    private readonly horizonMs: number,
    private readonly resting?: RestingOrders,
  ) {}

  /**
   * An order event of the account in the symbol: watches the account there (replaying its deferred
   * executions first) for at least EXEC_GRACE_MS after `tsMs`.
   */
  touch(symbol: string, account: string, tsMs: EpochMs): void {
    if (account === '') return;
    let accounts = this.bySymbol.get(symbol);
    const r = accounts?.get(account);
    // A later time only postpones the list's end: its queue entry is checked when it comes.
    if (r) r.lastOrderMs = Math.max(r.lastOrderMs, tsMs);
    else {
      if (!accounts) {
        accounts = new Map();
        this.bySymbol.set(symbol, accounts);
      }
      const fresh: Recent = { symbol, account, list: this.replay(symbol, account), lastOrderMs: tsMs, due: Infinity };
      accounts.set(account, fresh);
      this.schedule(fresh);
    }
  }

  /** Records the executions a trade implies for its buyer and seller; returns those that are new (not merged). */
  fromTrade(t: Trade): Execution[] {
    const out: Execution[] = [];
    const buy = this.fromTradeSide(t, 'buy');
    const sell = this.fromTradeSide(t, 'sell');
    if (buy) out.push(buy);
    if (sell) out.push(sell);
    return out;
  }

  /**
   * Records the execution a trade implies for its buyer (`buy`) or seller (`sell`); undefined when
   * that side has no account, the execution merged into one already recorded, or it was deferred
   * (the account is not watched in the symbol: nothing can read it now).
   */
  fromTradeSide(t: Trade, side: Side): Execution | undefined {
    const account = side === 'buy' ? t.buyer : t.seller;
    if (account === '') return undefined;
    const r = this.bySymbol.get(t.symbol)?.get(account);
    if (!r && this.resting && this.resting.liveOrdersOf(t.symbol, account).length === 0) {
      this.deferred.push(t.symbol, account, side, t.tsMs, t.qty, t.price, t.tradeId, this.ticks, this.cutoff);
      return undefined;
    }
    return this.add(t.symbol, account, t.tsMs, side, t.qty, t.price, 'trade', t.tradeId, r);
  }

  /** Records the execution a fill event implies; undefined when it merged into one already recorded. */
  fromFill(e: OrderEvent): Execution | undefined {
    if (e.account === '' || e.action !== 'fill') return undefined;
    this.touch(e.symbol, e.account, e.tsMs);
    return this.add(e.symbol, e.account, e.tsMs, e.side, e.qty, e.price, 'fill', e.orderId, this.bySymbol.get(e.symbol)?.get(e.account));
  }

  /** The account's executions in the symbol within the horizon, oldest first. */
  recent(symbol: string, account: string): readonly Execution[] {
    return this.bySymbol.get(symbol)?.get(account)?.list ?? NONE;
  }

  /** Forgets executions older than the horizon (and accounts no longer watched with nothing logged). */
  expire(nowMs: EpochMs): void {
    const cutoff = nowMs - this.horizonMs;
    this.ticks++;
    this.cutoff = cutoff;
    this.deferred.expire(this.ticks, cutoff);
    visitDue(this.expiry, cutoff, (r) => {
      const list = r.list;
      let i = 0;
      while (i < list.length && list[i]!.tsMs < cutoff) i++;
      if (i === list.length && nowMs - r.lastOrderMs > EXEC_GRACE_MS) {
        const accounts = this.bySymbol.get(r.symbol)!;
        accounts.delete(r.account);
        if (accounts.size === 0) this.bySymbol.delete(r.symbol);
        return;
      }
      if (i > 0) list.splice(0, i);
      this.schedule(r);
    });
  }

  /**
   * Queues `r` under its oldest execution's time (which only moves later, but for out-of-order
   * events) or, empty, under the cutoff at which its grace after the last order event ends.
   */
  private schedule(r: Recent): void {
    r.due = r.list.length > 0 ? r.list[0]!.tsMs : r.lastOrderMs + EXEC_GRACE_MS - this.horizonMs;
    this.expiry.push(r.due, r);
  }

  /**
   * The list the log would hold for (symbol, account) had its deferred executions been logged on
   * arrival and expired on every tick since. The account had no list when they came (its last one
   * had expired entirely), so they start one. A list's expiry takes, at each tick, its longest
   * prefix of executions older than that tick's cutoff (every list with an old first execution is
   * visited). Cutoffs only grow, so what a list has lost by some tick is its longest prefix of
   * executions logged before that tick and older than its cutoff: applying the latest tick before
   * each execution's arrival (and the current one at the end) gives the log's exact state.
   */
  private replay(symbol: string, account: string): Execution[] {
    const list: Execution[] = [];
    const ticks: number[] = [];
    this.deferred.take(symbol, account, (side, tsMs, qty, price, id, tick, cut) => {
      dropExpired(list, ticks, tick, cut);
      if (mergeOrAppend(list, tsMs, side, qty, price, 'trade', id)) ticks.push(tick);
      // mergeOrAppend may have cut the list's front (the MAX_LIST bound): keep the ticks aligned.
      if (ticks.length > list.length) ticks.splice(0, ticks.length - list.length);
    });
    dropExpired(list, ticks, this.ticks, this.cutoff);
    return list;
  }

  /** Adds to the account's execution of the same instant and side, or records a new one (returned). */
  private add(
    symbol: string,
    account: string,
    tsMs: EpochMs,
    side: Side,
    qty: number,
    price: number,
    source: 'trade' | 'fill',
    id: string,
    r: Recent | undefined,
  ): Execution | undefined {
    if (!r) {
      // Most (symbol, account) pairs see one execution within the horizon: a list of exactly one.
      let accounts = this.bySymbol.get(symbol);
      if (!accounts) {
        accounts = new Map();
        this.bySymbol.set(symbol, accounts);
      }
      const exec = newExecution(tsMs, side, qty, price, source, id);
      const fresh: Recent = { symbol, account, list: [exec], lastOrderMs: -Infinity, due: Infinity };
      accounts.set(account, fresh);
      this.schedule(fresh);
      return exec;
    }
    const exec = mergeOrAppend(r.list, tsMs, side, qty, price, source, id);
    if (exec && r.list[0]!.tsMs < r.due) this.schedule(r);
    return exec;
  }
}
stateClass(ExecutionLog, 'order-book.ExecutionLog');

/** Longest list an account keeps in one symbol (a very active account within the horizon). */
const MAX_LIST = 4096;

function newExecution(tsMs: EpochMs, side: Side, qty: number, price: number, source: 'trade' | 'fill', id: string): Execution {
  return {
    tsMs,
    side,
    tradeQty: source === 'trade' ? qty : 0,
    fillQty: source === 'fill' ? qty : 0,
    tradeNotional: source === 'trade' ? qty * price : 0,
    fillNotional: source === 'fill' ? qty * price : 0,
    tradeIds: source === 'trade' ? [id] : [],
    orderIds: source === 'fill' ? [id] : [],
  };
}

/**
 * Adds to the execution of the same instant and side at the end of `list` (events arrive in time
 * order, so executions of one instant sit at the end), or appends a new one, returned.
 */
function mergeOrAppend(
  list: Execution[],
  tsMs: EpochMs,
  side: Side,
  qty: number,
  price: number,
  source: 'trade' | 'fill',
  id: string,
): Execution | undefined {
  for (let i = list.length - 1; i >= 0 && list[i]!.tsMs === tsMs; i--) {
    const x = list[i]!;
    if (x.side !== side) continue;
    if (source === 'trade') {
      x.tradeQty += qty;
      x.tradeNotional += qty * price;
      x.tradeIds.push(id);
    } else {
      x.fillQty += qty;
      x.fillNotional += qty * price;
      if (!x.orderIds.includes(id)) x.orderIds.push(id);
    }
    return undefined;
  }
  const exec = newExecution(tsMs, side, qty, price, source, id);
  list.push(exec);
  if (list.length > MAX_LIST) list.splice(0, list.length - MAX_LIST);
  return exec;
}

/** A rebuilt list as expiry at tick `tick` (cutoff `cut`) leaves it: see ExecutionLog.replay. */
function dropExpired(list: Execution[], ticks: number[], tick: number, cut: number): void {
  let i = 0;
  while (i < list.length && ticks[i]! < tick && list[i]!.tsMs < cut) i++;
  if (i > 0) {
    list.splice(0, i);
    ticks.splice(0, i);
  }
}

/**
 * Deferred trade executions (one per trade side), as columns in arrival order (no object per
 * execution), with the tick count and cutoff of the log when each arrived, and a chain through each
 * symbol's entries (so a replay reads only its symbol's). Kept while they could still be in the
 * log: the front goes once it is older than the cutoff of a tick after its arrival. (An account's
 * deferred executions are its whole list: it had none when they came. A list's expiry takes a
 * prefix of it, so an execution dropped here had every earlier one of its account dropped too, and
 * was expired in the log.)
 */
export class DeferredTrades {
  /** Sequence number of index 0 (entries keep their number when the columns are compacted). */
  private base = 0;
  private head = 0;
  private readonly symbol: string[] = [];
  /** undefined once taken by `take`. */
  private readonly account: (string | undefined)[] = [];
  private readonly buy: boolean[] = [];
  private readonly tsMs: number[] = [];
  private readonly qty: number[] = [];
  private readonly price: number[] = [];
  private readonly tradeId: string[] = [];
  private readonly tick: number[] = [];
  private readonly cut: number[] = [];
  /** Sequence number of the symbol's previous entry. */
  private readonly prev: number[] = [];
  /** Sequence number of each symbol's latest entry. */
  private readonly last = new Map<string, number>();

  get size(): number {
    return this.symbol.length - this.head;
  }

  push(symbol: string, account: string, side: Side, tsMs: number, qty: number, price: number, id: string, tick: number, cut: number): void {
    const seq = this.base + this.symbol.length;
    this.prev.push(this.last.get(symbol) ?? -1);
    this.last.set(symbol, seq);
    this.symbol.push(symbol);
    this.account.push(account);
    this.buy.push(side === 'buy');
    this.tsMs.push(tsMs);
    this.qty.push(qty);
    this.price.push(price);
    this.tradeId.push(id);
    this.tick.push(tick);
    this.cut.push(cut);
  }

  /** Drops the front entries the log would have expired by tick `tick` (cutoff `cut`). */
  expire(tick: number, cut: number): void {
    const n = this.symbol.length;
    let i = this.head;
    while (i < n && this.tick[i]! < tick && this.tsMs[i]! < cut) i++;
    this.head = i;
    if (i === n) this.clear();
    else if (i >= 1024 && 2 * i >= n) this.compact();
  }

  /** Visits the account's entries in the symbol in arrival order and forgets them. */
  take(
    symbol: string,
    account: string,
    visit: (side: Side, tsMs: number, qty: number, price: number, id: string, tick: number, cut: number) => void,
  ): void {
    let seq = this.last.get(symbol);
    if (seq === undefined) return;
    const first = this.base + this.head;
    let found: number[] | undefined;
    for (; seq >= first; seq = this.prev[seq - this.base]!) {
      if (this.account[seq - this.base] === account) (found ??= []).push(seq - this.base);
    }
    if (!found) return;
    for (let k = found.length - 1; k >= 0; k--) {
      const i = found[k]!;
      this.account[i] = undefined;
      visit(this.buy[i]! ? 'buy' : 'sell', this.tsMs[i]!, this.qty[i]!, this.price[i]!, this.tradeId[i]!, this.tick[i]!, this.cut[i]!);
    }
  }

  private columns(): unknown[][] {
    return [this.symbol, this.account, this.buy, this.tsMs, this.qty, this.price, this.tradeId, this.tick, this.cut, this.prev];
  }

  private clear(): void {
    this.base += this.symbol.length;
    for (const c of this.columns()) c.length = 0;
    this.head = 0;
    this.last.clear();
  }

  private compact(): void {
    const h = this.head;
    // A plain loop: Array.prototype.copyWithin takes a slow generic path on JS arrays.
    for (const c of this.columns()) {
      const n = c.length - h;
      for (let i = 0; i < n; i++) c[i] = c[i + h];
      c.length = n;
    }
    this.base += h;
    this.head = 0;
    // Symbols whose latest entry is gone: a chain start that would be skipped anyway.
    for (const [symbol, seq] of this.last) if (seq < this.base) this.last.delete(symbol);
  }
}
stateClass(DeferredTrades, 'order-book.DeferredTrades');

const NONE: readonly Execution[] = [];
