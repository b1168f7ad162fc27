import type { Config } from '../../config/config.js';
import type { Finding, Metric } from '../../domain/alert.js';
import type { OrderEvent, Side, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory, SharedState } from '../detector.js';
import { execPrice, execQty, NO_EXECUTION, type Execution, type ExecutionRef } from '../order-book/executions.js';
import { DeadlineQueue } from '../window/deadline-queue.js';
import { Episodes, type Episode } from '../order-book/episodes.js';
import type { LiveOrder } from '../order-book/order-book.js';
import { OrderFlow } from '../order-book/order-flow.js';
import { fmt, iso } from '../format.js';
import { emptyTimeList, TimeChains, type TimeList } from './time-chains.js';

/**
 * layering (a form of spoofing, EU MAR Annex II 5(e); CFTC spoofing guidance): false depth built
 * from several orders of one account at distinct price levels on one side. One layering cycle is:
 *   1. an execution by the account on the other side while ≥ layering_min_levels of its orders rest at
 *      distinct prices on the layer side, together ≥ layering_min_size_ratio × the median order size,
 *      and ≥ layering_imbalance × what the account still rests on the execution side (a market maker
 *      quoting both sides fails this: its book is balanced);
 *   2. the layers cancelled together: cancels of ≥ layering_min_levels distinct levels within
 *      layering_cancel_span_ms of each other, the first within layering_cancel_ms of the execution,
 *      having filled ≤ layering_max_fill_ratio of their size;
 *   3. and withdrawn, not refreshed: a market maker re-quoting cancels and at once re-places on the
 *      same side; when the account places new same-side orders within layering_requote_ms of the
 *      cancels of at least half the pulled size, the cycle is a quote refresh and is dropped.
 * The execution side is measured as it stood just before the execution (an order the execution
 * filled counts at its size before the fill), so a swept two-sided ladder does not look one-sided.
 * ≥ layering_min_repeats cycles raise one alert per account and symbol that grows with each cycle;
 * a gap longer than layering_window_ms starts a new episode. Orders without an account never alert.
 */

interface Layer {
  readonly order: LiveOrder;
  readonly price: number;
  cancelledMs: number | null;
}

/** An execution with layers resting on the other side, waiting to see whether the layers get pulled. */
interface Candidate {
  /** Creation order: due candidates are judged in it, as a walk over the map in insertion order would. */
  readonly seq: number;
  readonly symbol: string;
  readonly account: string;
  readonly layerSide: Side;
  readonly execs: Execution[];
  readonly layers: Map<string, Layer>;
  readonly firstExecMs: number;
  lastExecMs: number;
  /** Account's resting size on the execution side when the first execution came. */
  readonly oppositeResting: number;
  firstCancelMs: number | null;
}

interface Cycle {
  readonly layerSide: Side;
  readonly orderIds: readonly string[];
  readonly levels: number;
  readonly layerQty: number;
  readonly median: number;
  readonly imbalance: number;
  readonly fillRatio: number;
  readonly spanMs: number;
  readonly execs: readonly Execution[];
  readonly startMs: number;
  readonly endMs: number;
  readonly prices: readonly number[];
  /** Each pulled layer's size and cancel time (for the requote test). */
  readonly pulled: readonly { readonly qty: number; readonly cancelledMs: number }[];
}

/** A pulled cycle waiting layering_requote_ms to see whether its depth is re-placed. */
interface Settling {
  /** Creation order (settled in it). */
  readonly seq: number;
  readonly c: Candidate;
  readonly cycle: Cycle;
}

/**
 * One account's recent order activity in one symbol, which later judgements look back on. Keyed
 * symbol → account (interned strings: no key is built per event); a list that expired is emptied,
 * and the record goes when all three are empty.
 */
interface Activity {
  /** Set again when a forgotten record is reused (see `spare`). */
  symbol: string;
  account: string;
  /** Times of the account's recent `new` orders on each side (the requote test), kept NEWS_KEEP_MS: lists of `State.times` (see `newsOf`). */
  readonly buyNews: TimeList;
  readonly sellNews: TimeList;
  /**
   * Orders cancelled in the last EXEC_GRACE_MS (still resting for an execution reported with them).
   * An order's `lastMs` is its cancel time: the event that removed it set it, and a removed order
   * is never updated again. Empty ones may be shared (NO_CANCELS): replaced, never pushed to.
   */
  cancels: LiveOrder[];
}

interface State {
  /** The engine's order book and execution log (shared with spoofing). */
  readonly flow: OrderFlow;
  /** Pending candidates by symbol|account|layer side: at most one per side. */
  readonly candidates: Map<string, Candidate>;
  /** Candidates waiting for their layers to be pulled, by last execution time (due after layering_cancel_ms). */
  readonly awaitingCancel: DeadlineQueue<Candidate>;
  /** Candidates whose layers are being pulled, by first cancel time (due after layering_cancel_span_ms). */
  readonly beingPulled: DeadlineQueue<Candidate>;
  readonly episodes: Episodes<Cycle>;
  /**
   * Cycles whose layers were pulled, waiting layering_requote_ms to see whether the account puts
   * the same depth back on the same side (a quote refresh), by symbol|account|layer side.
   */
  readonly settling: Map<string, Settling>;
  /** `settling` by the cycle's end (due after layering_requote_ms). */
  readonly settlingExpiry: DeadlineQueue<Settling>;
  /** Recent activity by symbol, then account. */
  readonly activity: Map<string, Map<string, Activity>>;
  /** The times of every activity's `news` lists. */
  readonly times: TimeChains;
  /** Activities with `new` orders on a side, by that list's latest time when queued (re-queued until it is NEWS_KEEP_MS old). */
  readonly newsExpiry: Record<Side, DeadlineQueue<Activity>>;
  /** Activities with cancels, by the latest cancel when queued (re-queued until it is EXEC_GRACE_MS old). */
  readonly cancelsExpiry: DeadlineQueue<Activity>;
  /** Next creation number of a candidate or settling cycle. */
  seq: number;
}

const MAX_CYCLES = 50;
/** Forgotten activity records kept for reuse (see `spare`). */
const SPARE_ACTIVITIES = 1024;
/** Up to this many pending candidates, an order removal looks for its own by comparing them (no key string). */
const FEW_CANDIDATES = 4;
const SIDES: readonly Side[] = ['buy', 'sell'];
/**
 * Distinct layer prices of the execution being judged (reused: onExecution runs for every execution;
 * a plain array with a count, as a Set's `clear()` allocates a new table every time).
 */
const scratchPrices: number[] = [];
/** The news times near a settling cycle's cancels (reused: finishSettling runs for every pulled cycle). */
const scratchTimes: number[] = [];
/** The cancels of an activity with none (shared: replaced, never pushed to). */
const NO_CANCELS: LiveOrder[] = [];
/** A cancel reported up to this long before the execution still counts as resting (same-instant reporting, in-flight orders). */
const EXEC_GRACE_MS = 250;

/**
 * The detector as a class (its state in `s`): one set of methods for every engine. As closures made
 * per engine, each engine had its own `judge`, `settle`, … and optimised code that had inlined one
 * engine's threw itself away at the first call of another's ("wrong call target"): in the live
 * engine, after the warm-up's, in its first burst of layering executions.
 */
class Layering implements Detector {
  private readonly t: Config['thresholds'];
  /** A cycle settles layering_requote_ms after its last cancel, and its cancels span up to layering_cancel_span_ms. */
  private readonly newsKeepMs: number;
  /** All mutable state, in one object so a checkpoint is `snapshot()` → this graph. */
  private s: State;

  constructor(config: Config, shared: SharedState) {
    const t = config.thresholds;
    this.t = t;
    this.newsKeepMs = t.layering_cancel_span_ms + t.layering_requote_ms + 60_000;
    this.s = {
      flow: OrderFlow.of(shared, config),
      candidates: new Map(),
      awaitingCancel: new DeadlineQueue(),
      beingPulled: new DeadlineQueue(),
      episodes: new Episodes(t.layering_window_ms),
      settling: new Map(),
      settlingExpiry: new DeadlineQueue(),
      activity: new Map(),
      times: new TimeChains(),
      newsExpiry: { buy: new DeadlineQueue(), sell: new DeadlineQueue() },
      cancelsExpiry: new DeadlineQueue(),
      seq: 0,
    };
  }

  /** `s.activity` of the symbol last looked up (events of a symbol come in runs; not state: reset by `restore`). */
  private lastSymbol: string | undefined = undefined;
  private lastAccounts: Map<string, Activity> | undefined = undefined;
  /**
   * Forgotten activity records, reused for the next new (symbol, account): accounts that trade less
   * often than every newsKeepMs get a new record each time, ~5 per second of a live feed, and
   * records live long enough to be promoted. A forgotten record has empty lists; entries of it
   * still queued then visit whichever account reuses it, which is harmless: a non-empty list always
   * has an entry of its own due no later than its latest time, so a visit that empties a list
   * happens in the same tick as its own entry's would, and any other visit only queues it again.
   * Not state (empty after `restore`); at most SPARE_ACTIVITIES, so memory still follows the live ones.
   */
  private spare: Activity[] = [];

  private accountsOf(symbol: string): Map<string, Activity> | undefined {
    if (symbol === this.lastSymbol) return this.lastAccounts;
    const accounts = this.s.activity.get(symbol);
    if (accounts) {
      this.lastSymbol = symbol;
      this.lastAccounts = accounts;
    }
    return accounts;
  }

  /**
   * The activity record last looked up, if still held: an account's order events come in runs (60%
   * of a live feed's order events are of the same symbol and account as the one before). Not state.
   */
  private lastActivity: Activity | undefined = undefined;

  /** The (symbol, account)'s activity record, if it has one. */
  private activityIn(symbol: string, account: string): Activity | undefined {
    const last = this.lastActivity;
    if (last !== undefined && last.account === account && last.symbol === symbol) return last;
    const a = this.accountsOf(symbol)?.get(account);
    if (a !== undefined) this.lastActivity = a;
    return a;
  }

  private activityOf(symbol: string, account: string): Activity {
    const held = this.activityIn(symbol, account);
    if (held !== undefined) return held;
    // None yet (activityIn looked in the symbol's map): a new record, or a forgotten one reused.
    let accounts = this.accountsOf(symbol);
    if (!accounts) {
      accounts = new Map();
      this.s.activity.set(symbol, accounts);
      this.lastSymbol = symbol;
      this.lastAccounts = accounts;
    }
    let a = this.spare.pop();
    if (a) {
      a.symbol = symbol;
      a.account = account;
    } else a = { symbol, account, buyNews: emptyTimeList(), sellNews: emptyTimeList(), cancels: NO_CANCELS };
    accounts.set(account, a);
    this.lastActivity = a;
    return a;
  }

  private forgetIfEmpty(a: Activity): void {
    if (a.buyNews.length > 0 || a.sellNews.length > 0 || a.cancels.length > 0) return;
    const accounts = this.accountsOf(a.symbol);
    if (accounts?.get(a.account) !== a) return;
    accounts.delete(a.account);
    if (this.lastActivity === a) this.lastActivity = undefined;
    if (accounts.size === 0) {
      this.s.activity.delete(a.symbol);
      if (a.symbol === this.lastSymbol) this.lastSymbol = this.lastAccounts = undefined;
    }
    if (this.spare.length < SPARE_ACTIVITIES) this.spare.push(a);
  }

  /** An execution `x` of `account`: do layers rest on the other side? */
  private onExecution(symbol: string, account: string, x: ExecutionRef, passiveQty: number, ctx: DetectorContext): void {
    const log = this.s.flow.executions;
    const xTsMs = log.timeOf(x);
    const layerSide: Side = log.sideOf(x) === 'buy' ? 'sell' : 'buy';
    // The account's live orders, plus those cancelled a moment ago: a cancel reported at the same
    // instant as (or just before) the execution still rested when the execution was sent.
    // Measured first without building anything: most executions have no layers behind them.
    const live = this.s.flow.book.liveOrdersOf(symbol, account);
    const recent = this.activityIn(symbol, account)?.cancels;
    let layerQty = 0;
    let layerOrders = 0;
    let restingOpp = 0;
    for (const o of live) {
      if (o.side === layerSide) {
        layerQty += o.remaining;
        layerOrders++;
      } else restingOpp += o.remaining;
    }
    if (recent)
      for (const r of recent) {
        if (xTsMs - r.lastMs > EXEC_GRACE_MS) continue;
        if (r.side === layerSide) {
          layerQty += r.cancelledQty;
          layerOrders++;
        } else restingOpp += r.cancelledQty;
      }
    // What the account showed on the execution side just before this execution: a resting order that
    // was just filled counts at its size before the fill (a market maker's bid hit by a sweep still
    // balanced its asks; a layerer's small genuine order never did). `passiveQty` is what the book
    // already removed for this execution (fill reported before or without a trade).
    restingOpp += passiveQty;
    // Fewer layer-side orders than levels (most executions) cannot rest at enough distinct prices.
    if (layerOrders < this.t.layering_min_levels) return;
    // Distinct prices, counted only up to the threshold (all that is compared).
    const minLevels = this.t.layering_min_levels;
    let levels = 0;
    for (let i = 0; i < live.length && levels < minLevels; i++) {
      const o = live[i]!;
      if (o.side === layerSide) levels = addDistinct(scratchPrices, levels, o.price);
    }
    if (recent)
      for (let i = 0; i < recent.length && levels < minLevels; i++) {
        const r = recent[i]!;
        if (xTsMs - r.lastMs <= EXEC_GRACE_MS && r.side === layerSide) levels = addDistinct(scratchPrices, levels, r.price);
      }
    if (levels < minLevels) return;
    const median = this.s.flow.book.medianNewSize(symbol, 'layering');
    if (median > 0 && layerQty < this.t.layering_min_size_ratio * median) return;
    if (layerQty < this.t.layering_imbalance * restingOpp) return;
    // The layer-side orders, live then just cancelled, at their prices now.
    const pool: Layer[] = [];
    for (const o of live) if (o.side === layerSide) pool.push({ order: o, price: o.price, cancelledMs: null });
    if (recent)
      for (const r of recent)
        if (xTsMs - r.lastMs <= EXEC_GRACE_MS && r.side === layerSide) pool.push({ order: r, price: r.price, cancelledMs: r.lastMs });
    const key = candidateKey(symbol, account, layerSide);
    const existing = this.s.candidates.get(key);
    if (existing && existing.firstCancelMs === null) {
      existing.execs.push(log.keep(x));
      // Later executions only postpone the deadline (checked when it comes), except out of time order.
      if (xTsMs < existing.lastExecMs) this.s.awaitingCancel.push(xTsMs, existing);
      existing.lastExecMs = xTsMs;
      for (const l of pool) if (!existing.layers.has(l.order.orderId)) existing.layers.set(l.order.orderId, l);
      return;
    }
    if (existing) {
      // The previous layers are already being pulled: settle that cycle before starting a new one.
      this.s.candidates.delete(key);
      const cycle = this.judge(existing);
      if (cycle) this.settle(existing, cycle, ctx);
    }
    const layers = new Map<string, Layer>();
    let firstCancelMs: number | null = null;
    for (const l of pool) {
      layers.set(l.order.orderId, l);
      if (l.cancelledMs !== null && (firstCancelMs === null || l.cancelledMs < firstCancelMs)) firstCancelMs = l.cancelledMs;
    }
    const c: Candidate = {
      seq: this.s.seq++,
      symbol,
      account,
      layerSide,
      execs: [log.keep(x)],
      layers,
      firstExecMs: xTsMs,
      lastExecMs: xTsMs,
      oppositeResting: restingOpp,
      firstCancelMs,
    };
    if ([...layers.values()].every((l) => l.cancelledMs !== null)) {
      const cycle = this.judge(c);
      if (cycle) this.settle(c, cycle, ctx);
    } else {
      this.s.candidates.set(key, c);
      if (c.firstCancelMs === null) this.s.awaitingCancel.push(c.lastExecMs, c);
      else this.s.beingPulled.push(c.firstCancelMs, c);
    }
  }

  /** Judges a candidate whose layers were pulled (or whose cancel span is over); returns the cycle if it is one. */
  private judge(c: Candidate): Cycle | undefined {
    const firstCancelMs = c.firstCancelMs;
    if (firstCancelMs === null) return undefined;
    if (firstCancelMs - c.lastExecMs > this.t.layering_cancel_ms) return undefined;
    const pulledTogether = (l: Layer): boolean => l.cancelledMs !== null && l.cancelledMs - firstCancelMs <= this.t.layering_cancel_span_ms;
    // The tests first, in one pass over the layers and without building anything (distinct prices
    // counted up to the threshold, all that is compared); the cycle's lists only for one that passes.
    const minLevels = this.t.layering_min_levels;
    let peak = 0;
    let filled = 0;
    let levels = 0;
    for (const l of c.layers.values()) {
      peak += l.order.peakQty;
      filled += l.order.filledQty;
      if (levels < minLevels && pulledTogether(l)) levels = addDistinct(scratchPrices, levels, l.price);
    }
    if (levels < minLevels) return undefined;
    const fillRatio = peak > 0 ? filled / peak : 0;
    if (fillRatio > this.t.layering_max_fill_ratio) return undefined;
    const together = [...c.layers.values()].filter(pulledTogether);
    const prices = [...new Set(together.map((l) => l.price))].sort((a, b) => a - b);
    let layerQty = 0;
    for (const l of together) layerQty += l.order.peakQty;
    const median = this.s.flow.book.medianNewSize(c.symbol, 'layering');
    const lastCancel = Math.max(...together.map((l) => l.cancelledMs!));
    return {
      layerSide: c.layerSide,
      orderIds: together.map((l) => l.order.orderId),
      levels: prices.length,
      layerQty,
      median: median > 0 ? median : NaN,
      imbalance: c.oppositeResting > 0 ? layerQty / c.oppositeResting : Infinity,
      fillRatio,
      spanMs: lastCancel - firstCancelMs,
      execs: c.execs,
      startMs: Math.min(...together.map((l) => l.order.placedMs)),
      endMs: lastCancel,
      prices,
      pulled: together.map((l) => ({ qty: l.order.peakQty, cancelledMs: l.cancelledMs! })),
    };
  }

  private record(c: Candidate, cycle: Cycle, ctx: DetectorContext): void {
    const ep = this.s.episodes.forCycle(c.symbol, c.account, cycle.startMs, cycle.endMs);
    ep.cycles.push(cycle);
    ep.count++;
    ep.lastMs = Math.max(ep.lastMs, cycle.endMs);
    if (!ep.alerted) {
      // Before the first alert, only cycles that started within the window of this one's end count;
      // this cycle always does (the window bounds the gap between cycles, not one cycle's length:
      // a layer may rest longer than the window before it is pulled).
      ep.cycles = ep.cycles.filter((x) => x === cycle || cycle.endMs - x.startMs <= this.t.layering_window_ms);
      ep.count = ep.cycles.length;
      ep.startMs = ep.cycles[0]!.startMs;
    } else if (ep.cycles.length > MAX_CYCLES) ep.cycles.shift();
    if (ep.count < this.t.layering_min_repeats) return;
    ep.alerted = true;
    ctx.emit(this.finding(ep, ctx.now));
  }

  private finding(ep: Episode<Cycle>, tsMs: number): Finding {
    const cycles = ep.cycles;
    const seen = new Set<Execution>();
    let oppQty = 0;
    const tradeIds: string[] = [];
    const orderIds: string[] = [];
    // Membership in a set, not `orderIds.includes`: a long episode is rebuilt at every cycle, and a
    // scan per id made that quadratic in its orders (a live burst). Same ids in the same order.
    const listed = new Set<string>();
    for (const c of cycles) {
      for (const id of c.orderIds) {
        orderIds.push(id);
        listed.add(id);
      }
      for (const x of c.execs) {
        if (seen.has(x)) continue;
        seen.add(x);
        oppQty += execQty(x);
        tradeIds.push(...x.tradeIds);
        for (const id of x.orderIds)
          if (!listed.has(id)) {
            orderIds.push(id);
            listed.add(id);
          }
      }
    }
    const maxLevels = Math.max(...cycles.map((c) => c.levels));
    const minLevels = Math.min(...cycles.map((c) => c.levels));
    const maxQty = Math.max(...cycles.map((c) => c.layerQty));
    const minImbalance = Math.min(...cycles.map((c) => c.imbalance));
    const maxFill = Math.max(...cycles.map((c) => c.fillRatio));
    const maxSpan = Math.max(...cycles.map((c) => c.spanMs));
    const median = cycles[cycles.length - 1]!.median;
    const sizeRatio = Number.isFinite(median) ? maxQty / median : NaN;
    let miss = 1;
    for (const c of cycles) {
      const p =
        0.35 +
        0.1 * Math.min(1, (c.levels - this.t.layering_min_levels) / 2) +
        0.1 * (1 - c.fillRatio / Math.max(this.t.layering_max_fill_ratio, 1e-9)) +
        0.1 * (1 - c.spanMs / this.t.layering_cancel_span_ms);
      miss *= 1 - Math.min(0.65, Math.max(0.2, p));
    }
    const confidence = 1 - miss;
    const riskScore =
      0.3 +
      0.25 * (Number.isFinite(sizeRatio) ? Math.min(1, Math.log10(sizeRatio / this.t.layering_min_size_ratio + 1) / Math.log10(10)) : 0.5) +
      0.25 * Math.min(1, (ep.count - 1) / 4) +
      0.2 * (Number.isFinite(median) ? Math.min(1, oppQty / (median * 5)) : 0.5);
    const sides = new Set(cycles.map((c) => c.layerSide));
    const layerSide = sides.size === 1 ? cycles[0]!.layerSide : 'buy and sell';
    const oppVerb = layerSide === 'buy' ? 'sold' : layerSide === 'sell' ? 'bought' : 'traded';
    const metrics: Metric[] = [
      { name: 'layering_cycles', value: ep.count, threshold: this.t.layering_min_repeats, op: '>=', unit: 'cycles' },
      { name: 'min_layer_levels', value: minLevels, threshold: this.t.layering_min_levels, op: '>=', unit: 'levels' },
      { name: 'max_layer_qty', value: maxQty, unit: 'qty' },
      ...(Number.isFinite(sizeRatio)
        ? [
            {
              name: 'max_layer_size_ratio',
              value: r2(sizeRatio),
              threshold: this.t.layering_min_size_ratio,
              op: '>=' as const,
              unit: '× median order',
            },
          ]
        : []),
      {
        name: 'min_side_imbalance',
        value: Number.isFinite(minImbalance) ? r2(minImbalance) : 9999,
        threshold: this.t.layering_imbalance,
        op: '>=',
        unit: '× own resting on execution side',
      },
      { name: 'max_cancel_span_ms', value: maxSpan, threshold: this.t.layering_cancel_span_ms, op: '<=', unit: 'ms' },
      { name: 'max_fill_ratio', value: r2(maxFill), threshold: this.t.layering_max_fill_ratio, op: '<=', unit: 'fraction' },
      { name: 'opposite_executed_qty', value: r2(oppQty), unit: 'qty' },
    ];
    const description =
      `Account ${ep.account} in ${ep.symbol}: ${ep.count} layering cycle${ep.count === 1 ? '' : 's'} from ${iso(ep.startMs)} to ${iso(ep.lastMs)} — ` +
      `${layerSide} orders at ${minLevels === maxLevels ? maxLevels : `${minLevels}–${maxLevels}`} price levels (threshold ${this.t.layering_min_levels}), up to ${fmt(maxQty)} in total` +
      (Number.isFinite(sizeRatio) ? ` (${sizeRatio.toFixed(1)}× the median order)` : '') +
      `, cancelled together within ${(maxSpan / 1000).toFixed(1)} s (threshold ${this.t.layering_cancel_span_ms / 1000} s) after the account ${oppVerb} ${fmt(oppQty)} on the other side. ` +
      `Review whether the layers were meant to execute.`;
    return {
      pattern: 'layering',
      episodeKey: `${ep.symbol}|${ep.account}|${ep.startMs}`,
      description,
      confidence,
      riskScore,
      tsMs,
      windowStartMs: ep.startMs,
      windowEndMs: ep.lastMs,
      symbols: [ep.symbol],
      accounts: [ep.account],
      evidence: {
        tradeIds,
        orderIds,
        metrics,
        details: {
          cycles: cycles.map((c) => ({
            layer_side: c.layerSide,
            order_ids: c.orderIds,
            prices: c.prices,
            layer_qty: c.layerQty,
            fill_ratio: r2(c.fillRatio),
            cancel_span_ms: c.spanMs,
            from: iso(c.startMs),
            to: iso(c.endMs),
            opposite_executions: c.execs.map((x) => ({ ts: iso(x.tsMs), side: x.side, qty: r2(execQty(x)), price: execPrice(x) })),
          })),
        },
      },
    };
  }

  /** The pending candidate whose layers are on the order's side (of its symbol and account), if any. */
  private candidateOn(order: LiveOrder): Candidate | undefined {
    // With few candidates (a burst has one or two), compare them rather than build a key string for
    // every removal: keys are unique per (symbol, account, side), so this finds the same one.
    if (this.s.candidates.size <= FEW_CANDIDATES) {
      for (const x of this.s.candidates.values())
        if (x.symbol === order.symbol && x.account === order.account && x.layerSide === order.side) return x;
      return undefined;
    }
    return this.s.candidates.get(candidateKey(order.symbol, order.account, order.side));
  }

  private onLayerRemoved(order: LiveOrder, tsMs: number, cancelled: boolean, ctx: DetectorContext): void {
    if (this.s.candidates.size === 0) return; // the usual case: no key to build for this removal
    const c = this.candidateOn(order);
    if (!c) return;
    const layer = c.layers.get(order.orderId);
    if (!layer) return;
    if (cancelled) {
      layer.cancelledMs = tsMs;
      if (c.firstCancelMs === null) {
        c.firstCancelMs = tsMs;
        this.s.beingPulled.push(tsMs, c);
      }
    }
    // All layers gone: judge now rather than waiting for the span to run out.
    for (const l of c.layers.values()) if (this.s.flow.book.get(order.symbol, l.order.orderId) === l.order) return;
    this.s.candidates.delete(candidateKey(c.symbol, c.account, c.layerSide));
    const cycle = this.judge(c);
    if (cycle) this.settle(c, cycle, ctx);
  }

  /**
   * A pulled layer waits layering_requote_ms: a market maker cancels and replaces (the depth comes
   * straight back on the same side, at the new prices), a layerer withdraws it. A cycle already
   * waiting on the same side is settled first.
   */
  private settle(c: Candidate, cycle: Cycle, ctx: DetectorContext): void {
    const key = candidateKey(c.symbol, c.account, c.layerSide);
    const prev = this.s.settling.get(key);
    if (prev) {
      this.s.settling.delete(key);
      this.finishSettling(prev, ctx);
    }
    const w: Settling = { seq: this.s.seq++, c, cycle };
    this.s.settling.set(key, w);
    this.s.settlingExpiry.push(cycle.endMs, w);
  }

  /**
   * Records the cycle unless most of its depth was refreshed: a pulled layer counts as refreshed when
   * the account placed a new order on the same side at or within layering_requote_ms after its
   * cancel. Half the pulled size refreshed is a requote (a refresh need not repeat every level).
   */
  private finishSettling(w: Settling, ctx: DetectorContext): void {
    const a = this.activityIn(w.c.symbol, w.c.account);
    const news = a && newsOf(a, w.c.layerSide);
    if (news && news.length > 0) {
      const pulled = w.cycle.pulled;
      const span = this.t.layering_requote_ms;
      // The news near any cancel, in one walk over the list; then each layer's own test on them.
      // (A time within span after a cancel c ≥ first and ≤ last is ≥ first and ≤ span after last.)
      // The last cancel is the cycle's end; the first is not always `spanMs` before it (a cancel
      // reported out of time order does not move the candidate's first cancel earlier).
      let first = Infinity;
      for (const l of pulled) first = Math.min(first, l.cancelledMs);
      const n = this.s.times.collectNear(news, first, w.cycle.endMs, span, scratchTimes);
      let refreshed = 0;
      for (const l of pulled)
        for (let i = 0; i < n; i++) {
          const time = scratchTimes[i]!;
          if (time >= l.cancelledMs && time - l.cancelledMs <= span) {
            refreshed += l.qty;
            break;
          }
        }
      if (refreshed >= 0.5 * w.cycle.layerQty) return;
    }
    this.record(w.c, w.cycle, ctx);
  }

  private flushSettling(nowMs: number, ctx: DetectorContext): void {
    const due = this.s.settlingExpiry.takeDue((endMs) => nowMs - endMs > this.t.layering_requote_ms).map((d) => d.item);
    for (const w of due.sort(bySeq)) {
      const k = candidateKey(w.c.symbol, w.c.account, w.c.layerSide);
      if (this.s.settling.get(k) !== w) continue; // already settled when a newer cycle on its side came
      this.s.settling.delete(k);
      this.finishSettling(w, ctx);
    }
  }

  /** Judges (or drops) the candidates whose wait is over, in creation order. */
  private closeCandidates(nowMs: number, ctx: DetectorContext): void {
    const due = new Set<Candidate>();
    for (const { item: c } of this.s.awaitingCancel.takeDue((lastExecMs) => nowMs - lastExecMs > this.t.layering_cancel_ms)) {
      if (c.firstCancelMs !== null) continue; // now being pulled: its entry is in `beingPulled`
      if (nowMs - c.lastExecMs > this.t.layering_cancel_ms) due.add(c);
      else this.s.awaitingCancel.push(c.lastExecMs, c); // a later execution moved its deadline
    }
    for (const { item: c } of this.s.beingPulled.takeDue((firstCancelMs) => nowMs - firstCancelMs > this.t.layering_cancel_span_ms))
      due.add(c);
    for (const c of [...due].sort(bySeq)) {
      const k = candidateKey(c.symbol, c.account, c.layerSide);
      if (this.s.candidates.get(k) !== c) continue; // judged already (all its layers went)
      this.s.candidates.delete(k);
      if (c.firstCancelMs !== null) {
        const cycle = this.judge(c);
        if (cycle) this.settle(c, cycle, ctx);
      }
    }
  }

  onTrade(trade: Trade, ctx: DetectorContext): void {
    // The book has not seen this execution's fill yet: a passive order still rests at its size before the fill.
    const { buy, sell } = this.s.flow.onTrade(trade);
    if (buy !== NO_EXECUTION) this.onExecution(trade.symbol, trade.buyer, buy, 0, ctx);
    if (sell !== NO_EXECUTION) this.onExecution(trade.symbol, trade.seller, sell, 0, ctx);
  }

  onOrder(e: OrderEvent, ctx: DetectorContext): void {
    const { order, removed, execution: x } = this.s.flow.onOrder(e);
    if (e.account === '') return;
    if (e.action === 'new') {
      const a = this.activityOf(e.symbol, e.account);
      const list = newsOf(a, e.side);
      const times = this.s.times;
      if (list.length > 0) {
        // Only news after a cancel still being judged matter: older than span + requote can go.
        while (list.length > 0 && e.tsMs - times.first(list) > this.newsKeepMs) times.shift(list);
        // Out of time order, the latest entry moves earlier: queue it again at that time.
        if (list.length > 0 && e.tsMs < times.last(list)) this.s.newsExpiry[e.side].push(e.tsMs, a);
      } else this.s.newsExpiry[e.side].push(e.tsMs, a);
      times.push(list, e.tsMs);
    }
    if (x !== NO_EXECUTION) {
      // An order placed before this instant rested: it was passive, and the book already took its fill off.
      this.onExecution(e.symbol, e.account, x, order && order.placedMs < e.tsMs ? e.qty : 0, ctx);
    }
    if (order && removed && e.action !== 'fill') {
      const a = this.activityOf(e.symbol, e.account);
      const list = a.cancels;
      if (list.length > 0) {
        while (list.length > 0 && e.tsMs - list[0]!.lastMs > EXEC_GRACE_MS) list.shift();
        if (list.length > 0 && e.tsMs < list[list.length - 1]!.lastMs) this.s.cancelsExpiry.push(e.tsMs, a);
      } else this.s.cancelsExpiry.push(e.tsMs, a);
      // its lastMs is e.tsMs
      if (list.length === 0) a.cancels = [order];
      else list.push(order);
    }
    if (order && removed && (e.action === 'cancel' || e.action === 'fill' || e.action === 'modify')) {
      this.onLayerRemoved(order, e.tsMs, e.action !== 'fill', ctx);
    }
  }

  onTime(ctx: DetectorContext): void {
    this.s.flow.expire(ctx.now);
    this.closeCandidates(ctx.now, ctx);
    this.flushSettling(ctx.now, ctx);
    // Lists are queued under their latest time when queued; one that has grown since is re-queued.
    for (const side of SIDES) {
      const queue = this.s.newsExpiry[side];
      while (queue.size > 0 && ctx.now - queue.peek() > this.newsKeepMs) {
        const a = queue.pop()!;
        const list = newsOf(a, side);
        if (list.length === 0) continue; // emptied already
        const latest = this.s.times.last(list);
        if (ctx.now - latest > this.newsKeepMs) {
          this.s.times.clear(list);
          this.forgetIfEmpty(a);
        } else queue.push(latest, a);
      }
    }
    while (this.s.cancelsExpiry.size > 0 && ctx.now - this.s.cancelsExpiry.peek() > EXEC_GRACE_MS) {
      const a = this.s.cancelsExpiry.pop()!;
      const list = a.cancels;
      if (list.length === 0) continue;
      const latest = list[list.length - 1]!.lastMs;
      if (ctx.now - latest > EXEC_GRACE_MS) {
        a.cancels = NO_CANCELS;
        this.forgetIfEmpty(a);
      } else this.s.cancelsExpiry.push(latest, a);
    }
    this.s.episodes.expire(ctx.now);
  }

  snapshot(): unknown {
    return this.s;
  }

  restore(state: unknown): void {
    this.s = state as State;
    this.lastSymbol = this.lastAccounts = this.lastActivity = undefined;
    this.spare = [];
  }

  onEnd(ctx: DetectorContext): void {
    // The input ended: nothing more can be re-placed.
    this.flushSettling(Infinity, ctx);
  }
}

function createLayering(config: Config, shared: SharedState): Detector {
  return new Layering(config, shared);
}

/**
 * The activity's news list of `side`: two fields, not a record indexed by side (one load less per
 * `new` order and expiry visit, and `news[side]` was a megamorphic keyed load).
 */
function newsOf(a: Activity, side: Side): TimeList {
  return side === 'buy' ? a.buyNews : a.sellNews;
}

/**
 * Adds `p` to the first `n` values of `values` unless one equals it (SameValueZero, as a Set: NaN
 * equals NaN); returns the new count.
 */
function addDistinct(values: number[], n: number, p: number): number {
  for (let i = 0; i < n; i++) {
    const q = values[i]!;
    if (q === p || (q !== q && p !== p)) return n;
  }
  values[n] = p;
  return n + 1;
}

/** The key of a candidate (and of a settling cycle) in `State.candidates` and `State.settling`. */
function candidateKey(symbol: string, account: string, layerSide: Side): string {
  return `${symbol}\u0000${account}\u0000${layerSide}`;
}

function bySeq(a: { readonly seq: number }, b: { readonly seq: number }): number {
  return a.seq - b.seq;
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}

export const layering: DetectorFactory = {
  pattern: 'layering',
  version: 2,
  create: createLayering,
};
