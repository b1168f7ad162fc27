import type { MarketEvent, Side } from '../../domain/events.js';
import { ActionQueue } from './action-queue.js';
import type { Prng } from './prng.js';
import type { SessionClock } from './session-clock.js';

/** What makes one symbol's market: price level, tick, volatility and liquidity. */
export interface SymbolProfile {
  readonly symbol: string;
  readonly tickSize: number;
  readonly startPrice: number;
  /** Volatility of the log price per √second while the market is open. */
  readonly sigmaPerSqrtSec: number;
  /** Ordinary-trader arrivals per second at average intraday activity. */
  readonly arrivalsPerSec: number;
  /** Typical (median) order size. */
  readonly medianQty: number;
  readonly liquid: boolean;
}

/** A resting (or just-placed) order of the simulated book. */
export interface SimOrder {
  readonly id: string;
  readonly account: string;
  readonly side: Side;
  readonly tick: number;
  readonly qty: number;
  remaining: number;
  live: boolean;
  /** Called when the order is completely filled (market makers replenish then). */
  onDone?: (() => void) | undefined;
}

interface MarketMaker {
  readonly account: string;
  readonly halfSpreadTicks: number;
  readonly levels: number;
  readonly levelGapTicks: number;
  readonly sizeMult: number;
  /** Ticks the fundamental may drift from the quote centre before requoting. */
  readonly toleranceTicks: number;
  centerTick: number;
  orders: SimOrder[];
  pending: boolean;
  /** Generation of the ladder: a flicker timer only acts on the ladder it was set for. */
  gen: number;
}

/** The accounts the background draws from (shared across symbols, as real participants are). */
export interface AccountPools {
  readonly traders: readonly string[];
  readonly marketMakers: readonly string[];
  readonly institutions: readonly string[];
}

/** One side of the book: price levels (FIFO queues) and their ticks sorted best first. */
class BookSide {
  readonly levels = new Map<number, SimOrder[]>();
  /** Ticks, best first (bids descending, asks ascending). */
  readonly ticks: number[] = [];
  constructor(readonly side: Side) {}

  private better(a: number, b: number): boolean {
    return this.side === 'buy' ? a > b : a < b;
  }

  best(): number | undefined {
    return this.ticks[0];
  }

  add(o: SimOrder): void {
    let q = this.levels.get(o.tick);
    if (!q) {
      q = [];
      this.levels.set(o.tick, q);
      // Binary search for the insertion point (few levels, but keep it cheap).
      let lo = 0;
      let hi = this.ticks.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.better(this.ticks[mid]!, o.tick)) lo = mid + 1;
        else hi = mid;
      }
      this.ticks.splice(lo, 0, o.tick);
    }
    q.push(o);
  }

  remove(o: SimOrder): void {
    const q = this.levels.get(o.tick);
    if (!q) return;
    const i = q.indexOf(o);
    if (i >= 0) q.splice(i, 1);
    if (q.length === 0) {
      this.levels.delete(o.tick);
      const j = this.ticks.indexOf(o.tick);
      if (j >= 0) this.ticks.splice(j, 1);
    }
  }

  /** Quantity resting at a tick. */
  qtyAt(tick: number): number {
    const q = this.levels.get(tick);
    let s = 0;
    if (q) for (const o of q) s += o.remaining;
    return s;
  }

  clear(): SimOrder[] {
    const all: SimOrder[] = [];
    for (const t of this.ticks) all.push(...this.levels.get(t)!);
    this.levels.clear();
    this.ticks.length = 0;
    return all;
  }
}

/**
 * One symbol's simulated market: a price-time-priority limit order book, an exogenous fundamental
 * price (random walk) that market makers quote around, and the background participants. Scenarios
 * drive it through the same primitives (orders, cancels, crosses), so every event they produce is
 * a well-formed order lifecycle with a trade and fills for every execution.
 */
export class SymbolMarket {
  readonly symbol: string;
  readonly queue = new ActionQueue();
  /** Events produced since the last `drain`. */
  private out: MarketEvent[] = [];
  now = 0;
  /** The fundamental (fair) price that market makers centre on; scenarios push it around. */
  fundamental: number;
  private orderSeq = 0;
  private tradeSeq = 0;
  private readonly bids = new BookSide('buy');
  private readonly asks = new BookSide('sell');
  private readonly decimals: number;
  private readonly mms: MarketMaker[] = [];
  private wasOpen = false;
  /** Extra arrival-rate multiplier and buy probability set by scenarios (volume surges). */
  private surges: { fromMs: number; toMs: number; mult: number; buyProb: number; accounts?: readonly string[] }[] = [];
  private nextInstitutionMs: number;
  private lastTradePrice: number;

  constructor(
    readonly profile: SymbolProfile,
    private readonly rng: Prng,
    readonly clock: SessionClock,
    private readonly pools: AccountPools,
    startMs: number,
  ) {
    this.symbol = profile.symbol;
    this.fundamental = profile.startPrice;
    this.lastTradePrice = profile.startPrice;
    this.decimals = Math.max(0, Math.round(-Math.log10(profile.tickSize)) + 2);
    this.now = startMs;
    const nMm = profile.liquid ? rng.int(4, 5) : rng.int(3, 4);
    const mmAccounts = rng.shuffle(pools.marketMakers).slice(0, nMm);
    // Ticks the price typically moves in one second: market makers tolerate a few seconds' drift
    // before requoting (as real ones bound their message rate), and space their levels to match.
    const ticksPerSec = (profile.sigmaPerSqrtSec * profile.startPrice) / profile.tickSize;
    for (const account of mmAccounts) {
      const tolerance = Math.max(1, Math.round(ticksPerSec * Math.sqrt(rng.uniform(4, 12))));
      this.mms.push({
        account,
        halfSpreadTicks: Math.max(rng.int(1, profile.liquid ? 2 : 4), Math.round(tolerance / 2)),
        levels: rng.int(2, 3),
        levelGapTicks: Math.max(rng.int(1, 2), Math.round(tolerance / 2)),
        sizeMult: rng.uniform(0.8, 1.6),
        toleranceTicks: tolerance,
        centerTick: NaN,
        orders: [],
        pending: false,
        gen: 0,
      });
    }
    this.nextInstitutionMs = startMs + rng.exp(90 * 60_000);
  }

  // ---------------------------------------------------------------- prices and book state

  /** The price of a tick, rounded so floating-point noise never shows in prices. */
  price(tick: number): number {
    return Number((tick * this.profile.tickSize).toFixed(this.decimals));
  }

  /** The tick nearest a price. */
  tickOf(price: number): number {
    return Math.max(1, Math.round(price / this.profile.tickSize));
  }

  bestBid(): number | undefined {
    return this.bids.best();
  }

  bestAsk(): number | undefined {
    return this.asks.best();
  }

  /** A tick inside (or at) the spread: the mid when there is a book, else the fundamental. */
  midTick(): number {
    const b = this.bids.best();
    const a = this.asks.best();
    if (b !== undefined && a !== undefined) return Math.round((a + b) / 2);
    return this.tickOf(this.fundamental);
  }

  /** Last traded price (the fundamental before any trade). */
  get lastPrice(): number {
    return this.lastTradePrice;
  }

  /** Quantity resting at a tick on a side. */
  depthAt(side: Side, tick: number): number {
    return (side === 'buy' ? this.bids : this.asks).qtyAt(tick);
  }

  /** An order size around the symbol's median, rounded to whole units. */
  size(mult = 1, sigma = 0.6): number {
    return Math.max(1, Math.round(this.rng.lognormal(this.profile.medianQty * mult, sigma)));
  }

  /** Schedules an action at `tsMs` (never earlier than the current simulated time). */
  at(tsMs: number, run: () => void): void {
    this.queue.push(Math.max(tsMs, this.now), run);
  }

  /** Moves the fundamental by a log return (scenario drifts, news jumps). */
  shift(logReturn: number): void {
    this.fundamental *= Math.exp(logReturn);
    this.checkQuotes();
  }

  /** Adds an arrival surge: more ordinary orders, optionally one-sided, optionally by given accounts. */
  surge(fromMs: number, toMs: number, mult: number, buyProb = 0.5, accounts?: readonly string[]): void {
    this.surges.push(accounts ? { fromMs, toMs, mult, buyProb, accounts } : { fromMs, toMs, mult, buyProb });
  }

  /** The expected ordinary arrival rate (per second) at `ms`, without surges. */
  backgroundRate(ms: number): number {
    return this.profile.arrivalsPerSec * this.clock.activity(ms);
  }

  // ---------------------------------------------------------------- order primitives

  private newOrder(account: string, side: Side, tick: number, qty: number): SimOrder {
    const o: SimOrder = { id: `O${++this.orderSeq}`, account, side, tick, qty, remaining: qty, live: true };
    this.out.push({
      type: 'order',
      tsMs: this.now,
      symbol: this.symbol,
      orderId: o.id,
      account,
      side,
      action: 'new',
      price: this.price(tick),
      qty,
    });
    return o;
  }

  private fillEvent(o: SimOrder, tick: number, qty: number): void {
    this.out.push({
      type: 'order',
      tsMs: this.now,
      symbol: this.symbol,
      orderId: o.id,
      account: o.account,
      side: o.side,
      action: 'fill',
      price: this.price(tick),
      qty,
    });
  }

  /** One execution: the trade and a fill for each order. */
  private execute(aggressor: SimOrder, resting: SimOrder, qty: number): void {
    const price = this.price(resting.tick);
    const buy = aggressor.side === 'buy' ? aggressor : resting;
    const sell = aggressor.side === 'buy' ? resting : aggressor;
    this.out.push({
      type: 'trade',
      tsMs: this.now,
      symbol: this.symbol,
      price,
      qty,
      buyer: buy.account,
      seller: sell.account,
      tradeId: `${this.symbol}-T${++this.tradeSeq}`,
      side: aggressor.side,
    });
    this.lastTradePrice = price;
    aggressor.remaining -= qty;
    resting.remaining -= qty;
    this.fillEvent(aggressor, resting.tick, qty);
    this.fillEvent(resting, resting.tick, qty);
    if (aggressor.remaining <= 0) aggressor.live = false;
    if (resting.remaining <= 0) resting.live = false;
  }

  /**
   * A limit order: matches against the opposite side up to its limit (skipping the account's own
   * orders: self-trade prevention), then rests, or with `ioc` cancels the remainder.
   */
  limit(account: string, side: Side, tick: number, qty: number, ioc = false): SimOrder {
    const o = this.newOrder(account, side, tick, qty);
    const opp = side === 'buy' ? this.asks : this.bids;
    let li = 0;
    while (o.remaining > 0 && li < opp.ticks.length) {
      const t = opp.ticks[li]!;
      if (side === 'buy' ? t > tick : t < tick) break;
      const q = opp.levels.get(t)!;
      let i = 0;
      while (o.remaining > 0 && i < q.length) {
        const r = q[i]!;
        if (r.account === account) {
          i++;
          continue;
        }
        this.execute(o, r, Math.min(o.remaining, r.remaining));
        if (!r.live) {
          q.splice(i, 1);
          r.onDone?.();
        }
      }
      if (q.length === 0) {
        opp.levels.delete(t);
        opp.ticks.splice(li, 1);
      } else li++;
    }
    if (o.remaining > 0) {
      if (ioc) {
        this.out.push({
          type: 'order',
          tsMs: this.now,
          symbol: this.symbol,
          orderId: o.id,
          account,
          side,
          action: 'cancel',
          price: this.price(tick),
          qty: o.remaining,
        });
        o.live = false;
      } else (side === 'buy' ? this.bids : this.asks).add(o);
    }
    return o;
  }

  /** A marketable order (IOC) crossing up to `slipTicks` beyond the touch; returns the quantity filled. */
  market(account: string, side: Side, qty: number, slipTicks = 1): number {
    const touch = side === 'buy' ? this.asks.best() : this.bids.best();
    if (touch === undefined) return 0;
    const o = this.limit(account, side, side === 'buy' ? touch + slipTicks : Math.max(1, touch - slipTicks), qty, true);
    return o.qty - o.remaining;
  }

  /** Cancels the rest of a live order (a cancel's qty is the remaining size). */
  cancel(o: SimOrder): void {
    if (!o.live) return;
    (o.side === 'buy' ? this.bids : this.asks).remove(o);
    this.out.push({
      type: 'order',
      tsMs: this.now,
      symbol: this.symbol,
      orderId: o.id,
      account: o.account,
      side: o.side,
      action: 'cancel',
      price: this.price(o.tick),
      qty: o.remaining,
    });
    o.live = false;
  }

  /** Another account takes (part of) one specific resting order: an induced or targeted execution. */
  hit(resting: SimOrder, account: string, qty: number): void {
    if (!resting.live) return;
    const q = Math.min(qty, resting.remaining);
    const o = this.newOrder(account, resting.side === 'buy' ? 'sell' : 'buy', resting.tick, q);
    this.execute(o, resting, q);
    if (!resting.live) {
      (resting.side === 'buy' ? this.bids : this.asks).remove(resting);
      resting.onDone?.();
    }
  }

  /**
   * A negotiated cross between two accounts at a tick (off the public queue, as a venue's cross or
   * block facility would): a passive order, the aggressor's order, the trade and both fills.
   */
  cross(buyer: string, seller: string, tick: number, qty: number, aggressor: Side): void {
    const passive = aggressor === 'buy' ? this.newOrder(seller, 'sell', tick, qty) : this.newOrder(buyer, 'buy', tick, qty);
    const aggr = aggressor === 'buy' ? this.newOrder(buyer, 'buy', tick, qty) : this.newOrder(seller, 'sell', tick, qty);
    this.execute(aggr, passive, qty);
  }

  // ---------------------------------------------------------------- background

  /** Market makers requote when the fundamental leaves their tolerance. */
  private checkQuotes(): void {
    const center = this.fundamental / this.profile.tickSize;
    for (const mm of this.mms) {
      if (mm.pending) continue;
      if (Number.isNaN(mm.centerTick) || Math.abs(center - mm.centerTick) >= mm.toleranceTicks) this.requoteSoon(mm, 150);
    }
  }

  private requoteSoon(mm: MarketMaker, meanDelayMs: number): void {
    mm.pending = true;
    this.at(this.now + Math.round(this.rng.exp(meanDelayMs)), () => this.requote(mm));
  }

  /** Cancel-and-replace of a market maker's ladder: the reason their cancel rate is high. */
  private requote(mm: MarketMaker): void {
    mm.pending = false;
    for (const o of mm.orders) this.cancel(o);
    mm.orders = [];
    if (!this.clock.isOpen(this.now)) return;
    const center = Math.round(this.fundamental / this.profile.tickSize);
    mm.centerTick = center;
    // Market makers show ordinary sizes (never "large" orders: that is what spoofers do).
    const quoteSize = (): number => Math.min(this.size(mm.sizeMult, 0.35), Math.round(this.profile.medianQty * 3));
    const replenish = (): void => {
      if (!mm.pending) this.requoteSoon(mm, 400);
    };
    for (let j = 0; j < mm.levels; j++) {
      const off = mm.halfSpreadTicks + j * mm.levelGapTicks;
      const bestAsk = this.asks.best();
      const bidTick = Math.max(1, Math.min(center - off, bestAsk !== undefined ? bestAsk - 1 : Infinity));
      const bid = this.limit(mm.account, 'buy', bidTick, quoteSize());
      if (bid.live) {
        bid.onDone = replenish;
        mm.orders.push(bid);
      }
      const bestBid = this.bids.best();
      const askTick = Math.max(center + off, bestBid !== undefined ? bestBid + 1 : -Infinity);
      const ask = this.limit(mm.account, 'sell', askTick, quoteSize());
      if (ask.live) {
        ask.onDone = replenish;
        mm.orders.push(ask);
      }
    }
    // Quotes flicker: market makers also refresh without a price change.
    const gen = ++mm.gen;
    this.at(this.now + Math.round(this.rng.exp(15_000)) + 500, () => {
      if (!mm.pending && mm.gen === gen) this.requote(mm);
    });
  }

  /** An ordinary trader: mostly marketable orders of varied size, some passive orders that expire. */
  private ordinary(account: string, buyProb: number): void {
    const side: Side = this.rng.chance(buyProb) ? 'buy' : 'sell';
    const qty = Math.min(this.size(1, 0.7), this.profile.medianQty * 6);
    if (this.rng.chance(0.78)) {
      this.market(account, side, Math.max(1, Math.round(qty)), this.rng.int(0, 1));
      return;
    }
    const touch = side === 'buy' ? this.bids.best() : this.asks.best();
    if (touch === undefined) return;
    const away = this.rng.int(0, 3);
    const o = this.limit(account, side, side === 'buy' ? Math.max(1, touch - away) : touch + away, Math.max(1, Math.round(qty)));
    if (o.live) this.at(this.now + Math.round(this.rng.exp(20_000)) + 500, () => this.cancel(o));
  }

  /** An institution works a large parent order in one direction over about an hour. */
  private institution(): void {
    const account = this.rng.pick(this.pools.institutions);
    const side: Side = this.rng.chance(0.5) ? 'buy' : 'sell';
    const durationMs = this.rng.uniform(30, 75) * 60_000;
    const hourVolume = this.backgroundRate(this.now) * 3600 * this.profile.medianQty * 1.3;
    const total = hourVolume * this.rng.uniform(0.02, 0.07) * (durationMs / 3_600_000);
    // Children of one to three typical sizes: working an order means not showing its size.
    const children = Math.min(300, Math.max(20, Math.round(total / (this.profile.medianQty * this.rng.uniform(1, 3)))));
    const child = Math.max(1, Math.round(total / children));
    const mean = durationMs / children;
    let t = this.now;
    for (let i = 0; i < children; i++) {
      t += mean * this.rng.uniform(0.3, 1.7);
      this.at(Math.round(t), () => {
        if (!this.clock.isOpen(this.now)) return;
        const q = Math.max(1, Math.round(child * this.rng.uniform(0.7, 1.3)));
        if (this.rng.chance(0.7)) this.market(account, side, q, 1);
        else {
          const touch = side === 'buy' ? this.bids.best() : this.asks.best();
          if (touch === undefined) return;
          const o = this.limit(account, side, touch, q);
          if (o.live) this.at(this.now + Math.round(this.rng.uniform(5_000, 30_000)), () => this.cancel(o));
        }
      });
    }
  }

  /**
   * Simulates [secStartMs, secStartMs + 1000): the random walk, ordinary arrivals, then every
   * scheduled action in time order. Returns the events produced (in non-decreasing time).
   */
  step(secStartMs: number, untilMs = secStartMs + 1000): MarketEvent[] {
    const secEndMs = Math.min(secStartMs + 1000, untilMs);
    const open = this.clock.isOpen(secStartMs);
    this.now = secStartMs;
    if (open !== this.wasOpen) {
      this.wasOpen = open;
      if (open) for (const mm of this.mms) this.requoteSoon(mm, 300);
      else {
        // The close: quotes and day orders are withdrawn.
        for (const o of [...this.bids.clear(), ...this.asks.clear()]) {
          this.out.push({
            type: 'order',
            tsMs: this.now,
            symbol: this.symbol,
            orderId: o.id,
            account: o.account,
            side: o.side,
            action: 'cancel',
            price: this.price(o.tick),
            qty: o.remaining,
          });
          o.live = false;
        }
        for (const mm of this.mms) mm.orders = [];
      }
    }
    if (open) {
      this.fundamental *= Math.exp(this.profile.sigmaPerSqrtSec * this.rng.normal());
      this.checkQuotes();
      let rate = this.backgroundRate(secStartMs);
      const n = this.rng.poisson(rate);
      for (let i = 0; i < n; i++) {
        const account = this.rng.pick(this.pools.traders);
        this.at(secStartMs + this.rng.int(0, 999), () => this.ordinary(account, 0.5));
      }
      if (this.surges.length > 0) {
        this.surges = this.surges.filter((s) => s.toMs > secStartMs);
        for (const s of this.surges) {
          if (s.fromMs > secStartMs) continue;
          rate = this.backgroundRate(secStartMs) * s.mult;
          const k = this.rng.poisson(rate);
          for (let i = 0; i < k; i++) {
            const account = s.accounts ? this.rng.pick(s.accounts) : this.rng.pick(this.pools.traders);
            this.at(secStartMs + this.rng.int(0, 999), () => this.ordinary(account, s.buyProb));
          }
        }
      }
      if (secStartMs >= this.nextInstitutionMs) {
        this.institution();
        this.nextInstitutionMs = secStartMs + this.rng.exp(90 * 60_000);
      }
    }
    while (this.queue.peekTs() < secEndMs) {
      const a = this.queue.pop()!;
      this.now = Math.max(this.now, a.tsMs);
      a.run();
    }
    if (this.out.length > 0 && this.bids.best() !== undefined && this.asks.best() !== undefined) {
      const b = this.bids.best()!;
      const a = this.asks.best()!;
      this.out.push({
        type: 'quote',
        tsMs: this.now,
        symbol: this.symbol,
        bidPrice: this.price(b),
        bidQty: this.bids.qtyAt(b),
        askPrice: this.price(a),
        askQty: this.asks.qtyAt(a),
      });
    }
    const events = this.out;
    this.out = [];
    return events;
  }
}
