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
  /** Empty ones may be shared: replaced, never pushed to (see `mergeOrAppend`). */
  tradeIds: string[];
  orderIds: string[];
}

/** The executed quantity, counted once whichever sources reported it. */
export function execQty(x: Execution): number {
  return Math.max(x.tradeQty, x.fillQty);
}

/** Volume-weighted price of the source that reported the larger quantity. */
export function execPrice(x: Execution): number {
  return x.tradeQty >= x.fillQty ? x.tradeNotional / x.tradeQty : x.fillNotional / x.fillQty;
}

/** One (symbol, account)'s executions, oldest first, and the time it is queued for expiry under. */
interface Recent {
  readonly symbol: string;
  readonly account: string;
  readonly list: Execution[];
  /** Its oldest execution's time when queued (Infinity while not queued). */
  due: number;
}

/**
 * Recent executions of each (symbol, account), kept for `horizonMs` of event time. Keyed symbol →
 * account (ingestion interns both, so no key string is built per execution). Expiry pops the keys
 * whose oldest execution is past the horizon from a deadline queue (not every key every tick).
 *
 * Only symbols that have had an order event are logged as executions come (`watch`): in the others
 * nothing can read an execution (no order rests, so spoofing and layering have nothing to match it
 * with), and a trades-only stream would otherwise pay for two Execution objects, a key and two
 * queue operations per trade. Their trades wait, as plain columns, in `deferred`; the symbol's
 * first order event replays them into the log exactly as if they had been logged on arrival (same
 * merges, same expiry: see DeferredTrades), so an order arriving late (within the reorder window)
 * still finds the executions at or after its placement.
 */
export class ExecutionLog {
  private readonly bySymbol = new Map<string, Map<string, Recent>>();
  private readonly expiry = new DeadlineQueue<Recent>();
  /** Symbols whose executions are logged on arrival (an order event was seen in them). */
  private readonly watched = new Set<string>();
  /** Trades of the other symbols, in arrival order, while they could still be in the log. */
  private readonly deferred = new DeferredTrades();
  /** `expire` calls so far and the cutoff of the last one (what a deferred trade was logged under). */
  private ticks = 0;
  private cutoff = -Infinity;
  /**
   * The symbol last watched, and the symbol and map of `bySymbol` last looked up: a trade logs two
   * sides, a fill follows its order event's `watch` (saves a set and a map lookup per event).
   */
  private lastWatched: string | undefined = undefined;
  private lastSymbol: string | undefined = undefined;
  private lastAccounts: Map<string, Recent> | undefined = undefined;

  constructor(private readonly horizonMs: number) {}

  /** Whether the symbol's executions are logged on arrival (else `defer` its trades). */
  watching(symbol: string): boolean {
    return this.watched.has(symbol);
  }

  /** Logs the symbol's executions from now on, after those of its deferred trades. */
  watch(symbol: string): void {
    if (symbol === this.lastWatched) return;
    if (!this.watched.has(symbol)) {
      this.watched.add(symbol);
      this.replay(symbol);
    }
    this.lastWatched = symbol; // watched for good: the set never shrinks
  }

  /** Keeps a trade of an unwatched symbol for the replay (nothing reads its executions before). */
  defer(t: Trade): void {
    this.deferred.push(t, this.ticks, this.cutoff);
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
   * that side has no account or the execution merged into one already recorded.
   */
  fromTradeSide(t: Trade, side: Side): Execution | undefined {
    const account = side === 'buy' ? t.buyer : t.seller;
    if (account === '') return undefined;
    this.watch(t.symbol);
    return this.add(t.symbol, account, t.tsMs, side, t.qty, t.price, 'trade', t.tradeId);
  }

  /** Records the execution a fill event implies; undefined when it merged into one already recorded. */
  fromFill(e: OrderEvent): Execution | undefined {
    if (e.account === '' || e.action !== 'fill') return undefined;
    this.watch(e.symbol);
    return this.add(e.symbol, e.account, e.tsMs, e.side, e.qty, e.price, 'fill', e.orderId);
  }

  /** The account's executions in the symbol within the horizon, oldest first. */
  recent(symbol: string, account: string): readonly Execution[] {
    return this.bySymbol.get(symbol)?.get(account)?.list ?? NONE;
  }

  /** Forgets executions older than the horizon. */
  expire(nowMs: EpochMs): void {
    const cutoff = nowMs - this.horizonMs;
    this.ticks++;
    this.cutoff = cutoff;
    this.deferred.expire(this.ticks, cutoff);
    visitDue(this.expiry, cutoff, (r) => {
      const list = r.list;
      let i = 0;
      while (i < list.length && list[i]!.tsMs < cutoff) i++;
      if (i === list.length) {
        const accounts = this.bySymbol.get(r.symbol)!;
        accounts.delete(r.account);
        if (accounts.size === 0) this.forgetSymbol(r.symbol);
        return;
      }
      if (i > 0) list.splice(0, i);
      this.schedule(r);
    });
  }

  /** Queues `r` under its oldest execution's time (which only moves later, but for out-of-order events). */
  private schedule(r: Recent): void {
    r.due = r.list[0]!.tsMs;
    this.expiry.push(r.due, r);
  }

  /**
   * Logs the deferred trades of a symbol that was not watched, as `add` on arrival and `expire` on
   * every tick since would have. A list's expiry takes, at each tick, its longest prefix of
   * executions older than that tick's cutoff (every list with an old first execution is visited).
   * Cutoffs only grow, so what a list has lost by some tick is its longest prefix of executions
   * logged before that tick and older than its cutoff: applying the latest tick before each
   * trade's arrival (and the current one at the end) gives the log's exact state.
   */
  private replay(symbol: string): void {
    const d = this.deferred;
    if (d.size === 0) return;
    /** Per account: the list being rebuilt and the tick count each execution was logged at. */
    const lists = new Map<string, { list: Execution[]; ticks: number[] }>();
    const side = (account: string, tsMs: number, s: Side, qty: number, price: number, id: string, tick: number, cut: number) => {
      if (account === '') return;
      let l = lists.get(account);
      if (!l) {
        l = { list: [], ticks: [] };
        lists.set(account, l);
      }
      dropExpired(l.list, l.ticks, tick, cut);
      if (mergeOrAppend(l.list, tsMs, s, qty, price, 'trade', id)) l.ticks.push(tick);
      // mergeOrAppend may have cut the list's front (the 4096 bound): keep the ticks aligned.
      if (l.ticks.length > l.list.length) l.ticks.splice(0, l.ticks.length - l.list.length);
    };
    d.take(symbol, (tsMs, price, qty, buyer, seller, id, tick, cut) => {
      side(buyer, tsMs, 'buy', qty, price, id, tick, cut);
      side(seller, tsMs, 'sell', qty, price, id, tick, cut);
    });
    if (lists.size === 0) return;
    const accounts = new Map<string, Recent>();
    for (const [account, l] of lists) {
      dropExpired(l.list, l.ticks, this.ticks, this.cutoff);
      if (l.list.length === 0) continue;
      const r: Recent = { symbol, account, list: l.list, due: Infinity };
      accounts.set(account, r);
      this.schedule(r);
    }
    if (accounts.size > 0) {
      this.bySymbol.set(symbol, accounts);
      if (symbol === this.lastSymbol) this.lastSymbol = undefined;
    }
  }

  private forgetSymbol(symbol: string): void {
    this.bySymbol.delete(symbol);
    if (symbol === this.lastSymbol) this.lastSymbol = undefined;
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
  ): Execution | undefined {
    let accounts = symbol === this.lastSymbol ? this.lastAccounts : this.bySymbol.get(symbol);
    if (!accounts) {
      accounts = new Map();
      this.bySymbol.set(symbol, accounts);
    }
    this.lastSymbol = symbol;
    this.lastAccounts = accounts;
    const r = accounts.get(account);
    if (!r) {
      // Most (symbol, account) pairs see one execution within the horizon: a list of exactly one.
      const exec = newExecution(tsMs, side, qty, price, source, id);
      const fresh: Recent = { symbol, account, list: [exec], due: Infinity };
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

/**
 * The ids of a source that has not reported an execution (most executions have one source): one
 * array for all, so never pushed to. A decoded snapshot has its own copy, which the length test in
 * `mergeOrAppend` treats the same way.
 */
const NO_IDS: string[] = [];

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
    tradeIds: source === 'trade' ? [id] : NO_IDS,
    orderIds: source === 'fill' ? [id] : NO_IDS,
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
      if (x.tradeIds.length === 0) x.tradeIds = [id];
      else x.tradeIds.push(id);
    } else {
      x.fillQty += qty;
      x.fillNotional += qty * price;
      if (x.orderIds.length === 0) x.orderIds = [id];
      else if (!x.orderIds.includes(id)) x.orderIds.push(id);
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
 * Trades of symbols without order events, as columns in arrival order (no object per trade), with
 * the tick count and cutoff of the log when each arrived. Kept while they could still be in the
 * log: the front goes once it is older than the cutoff of a tick after its arrival. (A list's
 * expiry takes a prefix of it, so a trade dropped here had every earlier trade of its accounts
 * dropped too, and its own executions were expired in the log.)
 */
export class DeferredTrades {
  private head = 0;
  /** undefined once taken by `take`. */
  private readonly symbol: (string | undefined)[] = [];
  private readonly tsMs: number[] = [];
  private readonly price: number[] = [];
  private readonly qty: number[] = [];
  private readonly buyer: string[] = [];
  private readonly seller: string[] = [];
  private readonly tradeId: string[] = [];
  private readonly tick: number[] = [];
  private readonly cut: number[] = [];

  get size(): number {
    return this.symbol.length - this.head;
  }

  push(t: Trade, tick: number, cut: number): void {
    this.symbol.push(t.symbol);
    this.tsMs.push(t.tsMs);
    this.price.push(t.price);
    this.qty.push(t.qty);
    this.buyer.push(t.buyer);
    this.seller.push(t.seller);
    this.tradeId.push(t.tradeId);
    this.tick.push(tick);
    this.cut.push(cut);
  }

  /** Drops the front trades the log would have expired by tick `tick` (cutoff `cut`). */
  expire(tick: number, cut: number): void {
    const n = this.symbol.length;
    let i = this.head;
    while (i < n && this.tick[i]! < tick && this.tsMs[i]! < cut) i++;
    this.head = i;
    if (i === n) this.clear();
    else if (i >= 1024 && 2 * i >= n) this.compact();
  }

  /** Visits the symbol's trades in arrival order and forgets them (blanked: skipped from now on). */
  take(
    symbol: string,
    visit: (tsMs: number, price: number, qty: number, buyer: string, seller: string, id: string, tick: number, cut: number) => void,
  ): void {
    for (let i = this.head; i < this.symbol.length; i++) {
      if (this.symbol[i] !== symbol) continue;
      this.symbol[i] = undefined;
      visit(this.tsMs[i]!, this.price[i]!, this.qty[i]!, this.buyer[i]!, this.seller[i]!, this.tradeId[i]!, this.tick[i]!, this.cut[i]!);
    }
  }

  private columns(): unknown[][] {
    return [this.symbol, this.tsMs, this.price, this.qty, this.buyer, this.seller, this.tradeId, this.tick, this.cut];
  }

  private clear(): void {
    for (const c of this.columns()) c.length = 0;
    this.head = 0;
  }

  private compact(): void {
    const h = this.head;
    // A plain loop: Array.prototype.copyWithin takes a slow generic path on JS arrays.
    for (const c of this.columns()) {
      const n = c.length - h;
      for (let i = 0; i < n; i++) c[i] = c[i + h];
      c.length = n;
    }
    this.head = 0;
  }
}
stateClass(DeferredTrades, 'order-book.DeferredTrades');

const NONE: readonly Execution[] = [];
