import type { Config } from '../../config/config.js';
import type { Metric } from '../../domain/alert.js';
import type { OrderEvent, Side, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory, SharedState } from '../detector.js';
import { execPrice, execQty, NO_EXECUTION, type Execution, type ExecutionRef } from '../order-book/executions.js';
import { DeadlineQueue } from '../window/deadline-queue.js';
import { Episodes, type Episode } from '../order-book/episodes.js';
import type { LiveOrder } from '../order-book/order-book.js';
import { OrderFlow } from '../order-book/order-flow.js';
import { fmt, iso } from '../format.js';

/**
 * spoofing (CFTC: "bidding or offering with the intent to cancel the bid or offer before
 * execution"; EU MAR Annex II 5(e)). One spoof cycle is:
 *   1. a large order: size ≥ spoofing_threshold × the symbol's median `new` order size, and
 *      ≥ spoofing_depth_ratio × the depth resting at the best spoofing_depth_levels levels of its side;
 *   2. while it rests, an execution by the SAME account on the OPPOSITE side (a trade where the account
 *      is buyer/seller, or a fill of another of its orders — counted once when both are reported);
 *   3. the large order cancelled within spoofing_cancel_ms of placement, having filled
 *      ≤ spoofing_max_fill_ratio of its size.
 * An account with ≥ spoofing_min_repeats cycles in a symbol within spoofing_window_ms raises one alert
 * that grows with each further cycle. A single cycle alerts, with lower confidence, only when its order
 * is spoofing_single_cycle_multiplier times larger still. Orders without an account cannot be
 * attributed and never alert.
 */

/** Why an order counted as large, measured when it was placed (or enlarged). */
interface LargeInfo {
  readonly qty: number;
  readonly median: number;
  readonly depth: number;
}

interface Cycle {
  readonly orderId: string;
  readonly side: Side;
  readonly price: number;
  readonly qty: number;
  readonly sizeRatio: number;
  readonly depth: number;
  readonly median: number;
  readonly placedMs: number;
  readonly cancelMs: number;
  readonly fillRatio: number;
  readonly execs: readonly Execution[];
}

/** A cancelled spoof-like order waiting EXEC_GRACE_MS for its opposite-side execution. */
interface Unmatched {
  readonly order: LiveOrder;
  readonly info: LargeInfo;
  readonly cancelMs: number;
  readonly fillRatio: number;
}

interface State {
  /** The engine's order book and execution log (shared with layering). */
  readonly flow: OrderFlow;
  /** Live orders judged large when placed (or enlarged). */
  readonly large: Map<LiveOrder, LargeInfo>;
  /** Orders entered in `large`, by placement time: dropped once past spoofing_cancel_ms. */
  readonly largeExpiry: DeadlineQueue<LiveOrder>;
  readonly episodes: Episodes<Cycle>;
  /** Spoof-like orders cancelled without an opposite execution yet, by symbol|account (kept EXEC_GRACE_MS). */
  readonly unmatched: Map<string, Unmatched[]>;
  /** symbol|account keys of `unmatched`, by each entry's cancel time. */
  readonly unmatchedExpiry: DeadlineQueue<string>;
}

const MAX_CYCLES = 50;
/** An execution reported up to this long after the cancel still counts as "while it rested" (same-instant reporting, in-flight orders). */
const EXEC_GRACE_MS = 250;

function createSpoofing(config: Config, shared: SharedState): Detector {
  const t = config.thresholds;
  /** All mutable state, in one object so a checkpoint is `snapshot()` → this graph. */
  let s: State = {
    flow: OrderFlow.of(shared, config),
    large: new Map(),
    largeExpiry: new DeadlineQueue(),
    episodes: new Episodes(t.spoofing_window_ms),
    unmatched: new Map(),
    unmatchedExpiry: new DeadlineQueue(),
  };

  /** Drops the order from `large`. Usually empty (few orders are large): no lookup then. */
  function forget(order: LiveOrder): void {
    if (s.large.size > 0) s.large.delete(order);
  }

  /** Marks the order large (or not) from its current size against the symbol's statistics. */
  function judgeSize(order: LiveOrder): void {
    forget(order);
    if (order.account === '') return;
    const book = s.flow.book;
    if (book.newOrderCount(order.symbol) < t.spoofing_min_orders) return;
    const median = book.medianNewSize(order.symbol, 'spoofing');
    if (!(median > 0) || order.remaining < t.spoofing_threshold * median) return;
    const depth = book.depthNear(order.symbol, order.side, t.spoofing_depth_levels, order);
    if (order.remaining < t.spoofing_depth_ratio * depth) return;
    s.large.set(order, { qty: order.remaining, median, depth });
    s.largeExpiry.push(order.placedMs, order);
  }

  function onCancelled(order: LiveOrder, info: LargeInfo, tsMs: number, ctx: DetectorContext): void {
    const lifetime = tsMs - order.placedMs;
    if (lifetime > t.spoofing_cancel_ms) return;
    const fillRatio = order.filledQty / order.peakQty;
    if (fillRatio > t.spoofing_max_fill_ratio) return;
    const opposite = s.flow.executions.oppositeBetween(order.symbol, order.account, order.side, order.placedMs, tsMs);
    if (opposite.length > 0) {
      addCycle(order, info, tsMs, fillRatio, opposite, ctx);
      return;
    }
    // The execution may be reported just after the cancel (same instant, or an order already in
    // flight): keep the cancelled order briefly to match it.
    const key = `${order.symbol}\u0000${order.account}`;
    let list = s.unmatched.get(key);
    if (!list) {
      list = [];
      s.unmatched.set(key, list);
    }
    list.push({ order, info, cancelMs: tsMs, fillRatio });
    s.unmatchedExpiry.push(tsMs, key);
  }

  /** A new execution `x` of the account: does it complete a spoof order cancelled a moment ago? */
  function onExecution(symbol: string, account: string, x: ExecutionRef, ctx: DetectorContext): void {
    if (s.unmatched.size === 0) return; // the usual case: no key to build for this execution
    const key = `${symbol}\u0000${account}`;
    const list = s.unmatched.get(key);
    if (!list) return;
    const log = s.flow.executions;
    const side = log.sideOf(x);
    const tsMs = log.timeOf(x);
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p.order.side === side || tsMs - p.cancelMs > EXEC_GRACE_MS) continue;
      list.splice(i--, 1);
      addCycle(p.order, p.info, p.cancelMs, p.fillRatio, [log.keep(x)], ctx);
    }
    if (list.length === 0) s.unmatched.delete(key);
  }

  function addCycle(
    order: LiveOrder,
    info: LargeInfo,
    tsMs: number,
    fillRatio: number,
    opposite: readonly Execution[],
    ctx: DetectorContext,
  ): void {
    const cycle: Cycle = {
      orderId: order.orderId,
      side: order.side,
      price: order.price,
      qty: info.qty,
      sizeRatio: info.qty / info.median,
      depth: info.depth,
      median: info.median,
      placedMs: order.placedMs,
      cancelMs: tsMs,
      fillRatio,
      execs: opposite,
    };
    const ep = s.episodes.forCycle(order.symbol, order.account, cycle.placedMs, tsMs);
    ep.cycles.push(cycle);
    ep.count++;
    ep.lastMs = Math.max(ep.lastMs, tsMs);
    if (!ep.alerted) {
      // Before the first alert, only cycles within the counting window matter; this cycle always does
      // (with spoofing_cancel_ms > spoofing_window_ms its own lifetime may exceed the window).
      ep.cycles = ep.cycles.filter((c) => c === cycle || tsMs - c.placedMs <= t.spoofing_window_ms);
      ep.count = ep.cycles.length;
      ep.startMs = ep.cycles[0]!.placedMs;
    } else if (ep.cycles.length > MAX_CYCLES) ep.cycles.shift();
    const single = t.spoofing_single_cycle_multiplier > 0 && cycle.sizeRatio >= t.spoofing_single_cycle_multiplier * t.spoofing_threshold;
    if (ep.count < t.spoofing_min_repeats && !single) return;
    ep.alerted = true;
    ctx.emit(finding(ep, ctx.now));
  }

  function finding(ep: Episode<Cycle>, tsMs: number) {
    const cycles = ep.cycles;
    const sideOf = (s: Side) => (s === 'buy' ? 'buy' : 'sell');
    const maxRatio = Math.max(...cycles.map((c) => c.sizeRatio));
    const maxQty = Math.max(...cycles.map((c) => c.qty));
    const maxLifetime = Math.max(...cycles.map((c) => c.cancelMs - c.placedMs));
    const maxFill = Math.max(...cycles.map((c) => c.fillRatio));
    const minDepthRatio = Math.min(...cycles.map((c) => (c.depth > 0 ? c.qty / c.depth : Infinity)));
    const seen = new Set<Execution>();
    let oppQty = 0;
    let oppNotional = 0;
    const tradeIds: string[] = [];
    const orderIds: string[] = [];
    for (const c of cycles) {
      orderIds.push(c.orderId);
      for (const x of c.execs) {
        if (seen.has(x)) continue;
        seen.add(x);
        oppQty += execQty(x);
        oppNotional += execQty(x) * execPrice(x);
        tradeIds.push(...x.tradeIds);
        orderIds.push(...x.orderIds);
      }
    }
    const sides = new Set(cycles.map((c) => c.side));
    const spoofSide = sides.size === 1 ? sideOf(cycles[0]!.side) : 'buy and sell';
    // Per-cycle strength: how far past the size threshold, how little filled, how fast cancelled.
    let miss = 1;
    for (const c of cycles) {
      const p =
        0.3 +
        0.15 * Math.min(1, Math.log2(c.sizeRatio / t.spoofing_threshold + 1) - 1) +
        0.1 * (1 - c.fillRatio / Math.max(t.spoofing_max_fill_ratio, 1e-9)) +
        0.1 * (1 - (c.cancelMs - c.placedMs) / t.spoofing_cancel_ms);
      miss *= 1 - Math.min(0.65, Math.max(0.2, p));
    }
    const belowRepeats = ep.count < t.spoofing_min_repeats;
    const confidence = (1 - miss) * (belowRepeats ? 0.7 : 1);
    const riskScore =
      0.3 +
      0.25 * Math.min(1, Math.log10(maxRatio / t.spoofing_threshold + 1) / Math.log10(5)) +
      0.25 * Math.min(1, (ep.count - 1) / 4) +
      0.2 * Math.min(1, oppQty / (cycles[0]!.median * 5));
    const metrics: Metric[] = [
      { name: 'spoof_cycles', value: ep.count, threshold: t.spoofing_min_repeats, op: '>=', unit: 'cycles' },
      { name: 'max_order_size_ratio', value: r2(maxRatio), threshold: t.spoofing_threshold, op: '>=', unit: '× median order' },
      { name: 'max_order_qty', value: maxQty, unit: 'qty' },
      { name: 'median_order_qty', value: r2(cycles[cycles.length - 1]!.median), unit: 'qty' },
      {
        name: 'min_depth_ratio',
        value: Number.isFinite(minDepthRatio) ? r2(minDepthRatio) : 9999,
        threshold: t.spoofing_depth_ratio,
        op: '>=',
        unit: '× depth near touch',
      },
      { name: 'max_cancel_after_ms', value: maxLifetime, threshold: t.spoofing_cancel_ms, op: '<=', unit: 'ms' },
      { name: 'max_fill_ratio', value: r2(maxFill), threshold: t.spoofing_max_fill_ratio, op: '<=', unit: 'fraction' },
      { name: 'opposite_executed_qty', value: r2(oppQty), unit: 'qty' },
      { name: 'opposite_executed_notional', value: r2(oppNotional), unit: 'price × qty' },
    ];
    const oppSide = spoofSide === 'buy' ? 'sold' : spoofSide === 'sell' ? 'bought' : 'traded';
    const description =
      `Account ${ep.account} in ${ep.symbol}: ${ep.count} spoof cycle${ep.count === 1 ? '' : 's'} from ${iso(ep.startMs)} to ${iso(ep.lastMs)} — ` +
      `large ${spoofSide} orders of up to ${fmt(maxQty)} (${maxRatio.toFixed(1)}× the median order ${fmt(cycles[0]!.median)}; threshold ${t.spoofing_threshold}×) ` +
      `cancelled within ${(maxLifetime / 1000).toFixed(1)} s (threshold ${t.spoofing_cancel_ms / 1000} s) with at most ${(maxFill * 100).toFixed(0)}% filled, ` +
      `while the account ${oppSide} ${fmt(oppQty)} on the other side. ` +
      (belowRepeats
        ? `Single cycle (threshold ${t.spoofing_min_repeats} cycles) reported because the order was exceptionally large; review the order and the executions.`
        : `Review the cancelled orders and the opposite-side executions for intent to deceive.`);
    return {
      pattern: 'spoofing' as const,
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
            order_id: c.orderId,
            side: c.side,
            price: c.price,
            qty: c.qty,
            size_ratio: r2(c.sizeRatio),
            depth_near_touch: r2(c.depth),
            placed: iso(c.placedMs),
            cancelled: iso(c.cancelMs),
            fill_ratio: r2(c.fillRatio),
            opposite_executions: c.execs.map((x) => ({ ts: iso(x.tsMs), side: x.side, qty: r2(execQty(x)), price: execPrice(x) })),
          })),
        },
      },
    };
  }

  return {
    onTrade(trade: Trade, ctx: DetectorContext): void {
      const { buy, sell } = s.flow.onTrade(trade);
      if (buy !== NO_EXECUTION) onExecution(trade.symbol, trade.buyer, buy, ctx);
      if (sell !== NO_EXECUTION) onExecution(trade.symbol, trade.seller, sell, ctx);
    },
    onOrder(e: OrderEvent, ctx: DetectorContext): void {
      const { order, removed, execution } = s.flow.onOrder(e);
      switch (e.action) {
        case 'new':
        case 'modify':
          if (order && !removed) judgeSize(order);
          else if (order) forget(order);
          break;
        case 'fill':
          if (execution !== NO_EXECUTION) onExecution(e.symbol, e.account, execution, ctx);
          if (order && removed) forget(order);
          break;
        case 'cancel': {
          if (!order || !removed || s.large.size === 0) break;
          const info = s.large.get(order);
          if (!info) break;
          s.large.delete(order);
          onCancelled(order, info, e.tsMs, ctx);
          break;
        }
      }
    },
    onTime(ctx: DetectorContext): void {
      s.flow.expire(ctx.now);
      // A large order resting past the cancel limit can no longer make a cycle.
      for (const { item: order } of s.largeExpiry.takeDue((placedMs) => ctx.now - placedMs > t.spoofing_cancel_ms)) {
        s.large.delete(order);
      }
      for (const { item: k } of s.unmatchedExpiry.takeDue((cancelMs) => ctx.now - cancelMs > EXEC_GRACE_MS)) {
        const list = s.unmatched.get(k);
        if (!list) continue;
        const kept = list.filter((p) => ctx.now - p.cancelMs <= EXEC_GRACE_MS);
        if (kept.length === 0) s.unmatched.delete(k);
        else s.unmatched.set(k, kept);
      }
      s.episodes.expire(ctx.now);
    },
    snapshot(): unknown {
      return s;
    },
    restore(state: unknown): void {
      s = state as State;
    },
  };
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}

export const spoofing: DetectorFactory = {
  pattern: 'spoofing',
  version: 1,
  create: createSpoofing,
};
