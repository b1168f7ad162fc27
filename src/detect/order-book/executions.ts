import type { EpochMs, OrderEvent, Side, Trade } from '../../domain/events.js';
import { grown } from '../../engine/grown.js';
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

/**
 * A logged execution, as the detectors and the log's readers see it: an index into the log's slot
 * columns (NO_EXECUTION: none). Valid until the next event; `ExecutionLog.keep` makes the
 * `Execution` object a detector may hold.
 */
export type ExecutionRef = number;
export const NO_EXECUTION: ExecutionRef = -1;

/** One (symbol, account)'s executions (slots), oldest first, and the time it is queued for expiry under. */
interface Recent {
  readonly symbol: string;
  readonly account: string;
  readonly list: number[];
  /** Its oldest execution's time when queued (Infinity while not queued). */
  due: number;
}

/**
 * Recent executions of each (symbol, account), kept for `horizonMs` of event time. Keyed symbol →
 * account (ingestion interns both, so no key string is built per execution). Expiry pops the keys
 * whose oldest execution is past the horizon from a deadline queue (not every key every tick).
 *
 * An execution is a slot of typed columns (time, side, quantities, notionals) plus its first trade
 * and order id, not an object: a live feed keeps ~1,000 of them through a burst, and as objects
 * (with their id arrays) they were a third of what each scavenge copied. Freed slots are reused.
 * A detector that keeps an execution (evidence of a cycle) asks for its object with `keep`; from
 * then on that object is the slot's data, so later merges (trades and fills of the same instant)
 * still show in it, as they did when the log held the objects themselves.
 *
 * Only symbols that have had an order event are logged as executions come (`watch`): in the others
 * nothing can read an execution (no order rests, so spoofing and layering have nothing to match it
 * with), and a trades-only stream would otherwise pay for two executions, a key and two
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
  /** The slots: see ExecutionSlots. */
  private readonly slots = new ExecutionSlots();

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
  fromTrade(t: Trade): ExecutionRef[] {
    const out: ExecutionRef[] = [];
    const buy = this.fromTradeSide(t, 'buy');
    const sell = this.fromTradeSide(t, 'sell');
    if (buy !== NO_EXECUTION) out.push(buy);
    if (sell !== NO_EXECUTION) out.push(sell);
    return out;
  }

  /**
   * Records the execution a trade implies for its buyer (`buy`) or seller (`sell`); NO_EXECUTION when
   * that side has no account or the execution merged into one already recorded.
   */
  fromTradeSide(t: Trade, side: Side): ExecutionRef {
    const account = side === 'buy' ? t.buyer : t.seller;
    if (account === '') return NO_EXECUTION;
    this.watch(t.symbol);
    return this.add(t.symbol, account, t.tsMs, side, t.qty, t.price, TRADE, t.tradeId);
  }

  /** Records the execution a fill event implies; NO_EXECUTION when it merged into one already recorded. */
  fromFill(e: OrderEvent): ExecutionRef {
    if (e.account === '' || e.action !== 'fill') return NO_EXECUTION;
    this.watch(e.symbol);
    return this.add(e.symbol, e.account, e.tsMs, e.side, e.qty, e.price, FILL, e.orderId);
  }

  /** The side of a logged execution. */
  sideOf(x: ExecutionRef): Side {
    return this.slots.side[x] === BUY ? 'buy' : 'sell';
  }

  /** The time of a logged execution. */
  timeOf(x: ExecutionRef): number {
    return this.slots.tsMs[x]!;
  }

  /** The object of a logged execution, for a detector to hold: the same object for the same execution. */
  keep(x: ExecutionRef): Execution {
    return this.slots.keep(x);
  }

  /**
   * The account's executions in the symbol not on `side`, at times in [fromMs, toMs], oldest first
   * (as kept objects, made for the matches only).
   */
  oppositeBetween(symbol: string, account: string, side: Side, fromMs: number, toMs: number): Execution[] {
    const out: Execution[] = [];
    const list = this.bySymbol.get(symbol)?.get(account)?.list;
    if (!list) return out;
    const slots = this.slots;
    const own = side === 'buy' ? BUY : SELL;
    for (const x of list) {
      const ts = slots.tsMs[x]!;
      if (slots.side[x] !== own && ts >= fromMs && ts <= toMs) out.push(slots.keep(x));
    }
    return out;
  }

  /** A copy of a logged execution's data, not kept (tests and diagnostics). */
  view(x: ExecutionRef): Execution {
    return this.slots.view(x);
  }

  /** Copies of the account's executions in the symbol, oldest first, not kept (tests and diagnostics). */
  views(symbol: string, account: string): Execution[] {
    const list = this.bySymbol.get(symbol)?.get(account)?.list;
    return list ? list.map((x) => this.slots.view(x)) : [];
  }

  /** Forgets executions older than the horizon. */
  expire(nowMs: EpochMs): void {
    const cutoff = nowMs - this.horizonMs;
    this.ticks++;
    this.cutoff = cutoff;
    this.deferred.expire(this.ticks, cutoff);
    const slots = this.slots;
    visitDue(this.expiry, cutoff, (r) => {
      const list = r.list;
      let i = 0;
      while (i < list.length && slots.tsMs[list[i]!]! < cutoff) i++;
      if (i === list.length) {
        slots.freeFront(list, i);
        const accounts = this.bySymbol.get(r.symbol)!;
        accounts.delete(r.account);
        if (accounts.size === 0) this.forgetSymbol(r.symbol);
        return;
      }
      if (i > 0) {
        slots.freeFront(list, i);
        list.splice(0, i);
      }
      this.schedule(r);
    });
  }

  /** Queues `r` under its oldest execution's time (which only moves later, but for out-of-order events). */
  private schedule(r: Recent): void {
    r.due = this.slots.tsMs[r.list[0]!]!;
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
    const slots = this.slots;
    /** Per account: the list being rebuilt and the tick count each execution was logged at. */
    const lists = new Map<string, { list: number[]; ticks: number[] }>();
    const side = (account: string, tsMs: number, s: Side, qty: number, price: number, id: string, tick: number, cut: number) => {
      if (account === '') return;
      let l = lists.get(account);
      if (!l) {
        l = { list: [], ticks: [] };
        lists.set(account, l);
      }
      dropExpired(slots, l.list, l.ticks, tick, cut);
      if (slots.mergeOrAppend(l.list, tsMs, s, qty, price, TRADE, id) !== NO_EXECUTION) l.ticks.push(tick);
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
      dropExpired(slots, l.list, l.ticks, this.ticks, this.cutoff);
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
    source: number,
    id: string,
  ): ExecutionRef {
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
      const x = this.slots.create(tsMs, side, qty, price, source, id);
      const fresh: Recent = { symbol, account, list: [x], due: Infinity };
      accounts.set(account, fresh);
      this.schedule(fresh);
      return x;
    }
    const x = this.slots.mergeOrAppend(r.list, tsMs, side, qty, price, source, id);
    if (x !== NO_EXECUTION && this.slots.tsMs[r.list[0]!]! < r.due) this.schedule(r);
    return x;
  }
}
stateClass(ExecutionLog, 'order-book.ExecutionLog');

/**
 * The ids of a source that has not reported an execution (most executions have one source): one
 * array for all, so never pushed to. A decoded snapshot has its own copy, which the length test in
 * `merge` treats the same way.
 */
const NO_IDS: string[] = [];

/** Longest list an account keeps in one symbol (a very active account within the horizon). */
const MAX_LIST = 4096;
const TRADE = 0;
const FILL = 1;
const BUY = 0;
const SELL = 1;

/**
 * The executions' data as columns indexed by slot. A slot's time and side never change; its
 * quantities and ids are in the columns until a detector keeps it (`keep`), then in its object
 * (`obj`), which later merges update instead. Freed slots (expired, or cut by the list bound) drop
 * their ids and object and go on a free stack.
 */
class ExecutionSlots {
  tsMs = new Float64Array(64);
  side = new Uint8Array(64);
  tradeQty = new Float64Array(64);
  fillQty = new Float64Array(64);
  tradeNotional = new Float64Array(64);
  fillNotional = new Float64Array(64);
  /** The first trade id and order id (undefined: none yet), and any further ones. */
  readonly tradeId: (string | undefined)[] = [];
  readonly moreTradeIds: (string[] | undefined)[] = [];
  readonly orderId: (string | undefined)[] = [];
  readonly moreOrderIds: (string[] | undefined)[] = [];
  /** The kept object of the slot, if a detector asked for it. */
  readonly obj: (Execution | undefined)[] = [];
  /** Slots in use or freed so far (the columns' used length). */
  used = 0;
  readonly free: number[] = [];

  create(tsMs: number, side: Side, qty: number, price: number, source: number, id: string): number {
    let x: number;
    if (this.free.length > 0) x = this.free.pop()!;
    else {
      x = this.used++;
      if (x === this.tsMs.length) this.grow();
      this.tradeId.push(undefined);
      this.moreTradeIds.push(undefined);
      this.orderId.push(undefined);
      this.moreOrderIds.push(undefined);
      this.obj.push(undefined);
    }
    this.tsMs[x] = tsMs;
    this.side[x] = side === 'buy' ? BUY : SELL;
    // The same doubles the object fields held: qty and qty * price for the reporting source, else 0.
    this.tradeQty[x] = source === TRADE ? qty : 0;
    this.fillQty[x] = source === FILL ? qty : 0;
    this.tradeNotional[x] = source === TRADE ? qty * price : 0;
    this.fillNotional[x] = source === FILL ? qty * price : 0;
    if (source === TRADE) this.tradeId[x] = id;
    else this.orderId[x] = id;
    return x;
  }

  /**
   * Adds to the execution of the same instant and side at the end of `list` (events arrive in time
   * order, so executions of one instant sit at the end), or appends a new one, returned.
   */
  mergeOrAppend(list: number[], tsMs: number, side: Side, qty: number, price: number, source: number, id: string): number {
    const own = side === 'buy' ? BUY : SELL;
    for (let i = list.length - 1; i >= 0 && this.tsMs[list[i]!] === tsMs; i--) {
      const x = list[i]!;
      if (this.side[x] !== own) continue;
      this.merge(x, qty, price, source, id);
      return NO_EXECUTION;
    }
    const x = this.create(tsMs, side, qty, price, source, id);
    list.push(x);
    if (list.length > MAX_LIST) {
      const cut = list.length - MAX_LIST;
      this.freeFront(list, cut);
      list.splice(0, cut);
    }
    return x;
  }

  /** Frees the first `n` slots of `list` (the caller removes them from it). */
  freeFront(list: readonly number[], n: number): void {
    for (let i = 0; i < n; i++) {
      const x = list[i]!;
      this.tradeId[x] = undefined;
      this.moreTradeIds[x] = undefined;
      this.orderId[x] = undefined;
      this.moreOrderIds[x] = undefined;
      this.obj[x] = undefined;
      this.free.push(x);
    }
  }

  keep(x: number): Execution {
    let o = this.obj[x];
    if (o === undefined) {
      o = this.view(x);
      this.obj[x] = o;
    }
    return o;
  }

  view(x: number): Execution {
    const o = this.obj[x];
    if (o !== undefined) return { ...o, tradeIds: [...o.tradeIds], orderIds: [...o.orderIds] };
    return {
      tsMs: this.tsMs[x]!,
      side: this.side[x] === BUY ? 'buy' : 'sell',
      tradeQty: this.tradeQty[x]!,
      fillQty: this.fillQty[x]!,
      tradeNotional: this.tradeNotional[x]!,
      fillNotional: this.fillNotional[x]!,
      tradeIds: ids(this.tradeId[x], this.moreTradeIds[x]),
      orderIds: ids(this.orderId[x], this.moreOrderIds[x]),
    };
  }

  private merge(x: number, qty: number, price: number, source: number, id: string): void {
    const o = this.obj[x];
    if (o !== undefined) {
      if (source === TRADE) {
        o.tradeQty += qty;
        o.tradeNotional += qty * price;
        if (o.tradeIds.length === 0) o.tradeIds = [id];
        else o.tradeIds.push(id);
      } else {
        o.fillQty += qty;
        o.fillNotional += qty * price;
        if (o.orderIds.length === 0) o.orderIds = [id];
        else if (!o.orderIds.includes(id)) o.orderIds.push(id);
      }
      return;
    }
    if (source === TRADE) {
      this.tradeQty[x] = this.tradeQty[x]! + qty;
      this.tradeNotional[x] = this.tradeNotional[x]! + qty * price;
      if (this.tradeId[x] === undefined) this.tradeId[x] = id;
      else {
        const more = this.moreTradeIds[x];
        if (more === undefined) this.moreTradeIds[x] = [id];
        else more.push(id);
      }
    } else {
      this.fillQty[x] = this.fillQty[x]! + qty;
      this.fillNotional[x] = this.fillNotional[x]! + qty * price;
      const first = this.orderId[x];
      if (first === undefined) this.orderId[x] = id;
      else if (first !== id) {
        const more = this.moreOrderIds[x];
        if (more === undefined) this.moreOrderIds[x] = [id];
        else if (!more.includes(id)) more.push(id);
      }
    }
  }

  private grow(): void {
    const n = this.tsMs.length * 2;
    this.tsMs = grown(this.tsMs, n);
    this.side = grown(this.side, n);
    this.tradeQty = grown(this.tradeQty, n);
    this.fillQty = grown(this.fillQty, n);
    this.tradeNotional = grown(this.tradeNotional, n);
    this.fillNotional = grown(this.fillNotional, n);
  }
}
stateClass(ExecutionSlots, 'order-book.ExecutionSlots');

/** An id list as the object held it: the shared empty one when none. */
function ids(first: string | undefined, more: readonly string[] | undefined): string[] {
  if (first === undefined) return NO_IDS;
  return more === undefined ? [first] : [first, ...more];
}

/** A rebuilt list as expiry at tick `tick` (cutoff `cut`) leaves it: see ExecutionLog.replay. */
function dropExpired(slots: ExecutionSlots, list: number[], ticks: number[], tick: number, cut: number): void {
  let i = 0;
  while (i < list.length && ticks[i]! < tick && slots.tsMs[list[i]!]! < cut) i++;
  if (i > 0) {
    slots.freeFront(list, i);
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
