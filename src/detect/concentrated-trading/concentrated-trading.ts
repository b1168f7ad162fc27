import type { Config } from '../../config/config.js';
import type { OrderEvent, Side, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory, SharedState } from '../detector.js';
import { AccountExecutions, BUY_LEG, SELL_LEG } from '../window/account-executions.js';
import { AccountIds } from '../window/account-ids.js';
import { DeadlineQueue, visitDue } from '../window/deadline-queue.js';
import { BOUGHT, BOUGHT_INIT, BUY_NET, BUY_SEQ, FlowTable, LEGS, SELL_NET, SELL_SEQ, SOLD, SOLD_INIT } from './flow-table.js';
import { fmt, pct, round4 } from '../format.js';

/**
 * concentrated_trading (MAR Annex II 1(a)(i): orders or transactions that represent a significant
 * proportion of the daily volume; MAR Art. 12(2)(a): a dominant position over supply or demand).
 *
 * Per symbol, a sliding window (`concentration_window_ms`) of execution legs. Each trade's quantity
 * counts once for its buyer (on the buy side) and once for its seller (on the sell side); legs
 * without an account still count in the side's total V, so an anonymous tape dilutes shares and
 * never alerts. An account's weight on a side is the flow it drove that way, net of all it traded
 * the other way: qᵢ = max(0, initiated buysᵢ − soldᵢ) on the buy side (the reverse on the sell
 * side). "Initiated" leaves out legs where the account's resting order was taken by someone
 * else's aggressive order (when the tape says who the aggressor was): a market maker that
 * supplies a one-way flow ends up net short, but the demand was the aggressor's, not its supply.
 * Netting makes a dominant position a position: an account that buys and sells alike (a liquidity
 * provider, a day trader) dominates neither side. For each side the
 * Herfindahl–Hirschman index HHI = Σ (qᵢ / V)² and the top account's share qᵢ / V are kept
 * incrementally (O(1) per leg).
 * Alerts when, on a side, HHI ≥ `concentration_threshold` and the top share ≥
 * `concentration_top_share`, with at least `concentration_min_trades` trades and
 * `concentration_min_accounts` accounts in the window. Sliding (not tumbling) so a burst that
 * straddles a boundary is not split in two. One alert per symbol and side while
 * the condition keeps holding (a gap of one window ends the episode).
 */

/**
 * One side's totals. Which accounts hold a net flow this way is in their flow (`BUY_NET` /
 * `SELL_NET` > 0), with the order they came to hold it (`BUY_SEQ` / `SELL_SEQ`): a map of the holders
 * would be inserted into and deleted from on nearly every leg, and is read only when alerting.
 */
interface SideBook {
  /** Σ qᵢ² over named accounts, kept incrementally. */
  sumSq: number;
  /** All quantity on the side, anonymous legs included. */
  total: number;
}

interface Episode {
  readonly key: string;
  readonly side: Side;
  readonly top: string;
  readonly startMs: number;
  lastHoldMs: number;
  readonly accounts: Set<string>;
  readonly tradeIds: string[];
  readonly seenIds: Set<string>;
  lastEmitHhi: number;
  lastEmitShare: number;
  lastEmitTrades: number;
  peakHhi: number;
  peakShare: number;
}

interface SymbolState {
  readonly symbol: string;
  /** When `onTime` must next look at this symbol (see `nextDue`); Infinity when not queued. */
  due: number;
  /**
   * The legs in the window, oldest first from leg `head` on, with no object per leg and few arrays
   * per symbol (many symbols hold a leg or two): time and quantity (two numbers each), side and
   * aggressor bits (`SELL`, `INITIATED`) and the account's flow row (-1: anonymous) (two small
   * integers each, apart: kept as integers, not doubles, in memory and in checkpoints), and their
   * trade or order ids.
   */
  readonly legs: number[];
  readonly legMeta: number[];
  readonly legIds: string[];
  head: number;
  readonly buy: SideBook;
  readonly sell: SideBook;
  /** Executions (buy legs) in the window: the trade count. */
  trades: number;
  /** Named accounts with legs in the window or a place in a book. */
  readonly flows: FlowTable;
  /** Distinct named accounts with legs in the window. */
  accounts: number;
  /** Counter for `BUY_SEQ` / `SELL_SEQ`. */
  seq: number;
  readonly episodes: Map<string, Episode>; // by side
  lastTsMs: number;
}

interface State {
  readonly executions: AccountExecutions;
  /** Ids of the accounts in the symbols' flow tables (the engine's table, shared with other detectors). */
  readonly accounts: AccountIds;
  readonly symbols: Map<string, SymbolState>;
  /** Symbols by the time something of theirs expires: `onTime` visits only those, not every symbol. */
  readonly due: DeadlineQueue<SymbolState>;
}

const MAX_IDS = 500;
/** A leg's numbers in `SymbolState.legs` (time, quantity) and `legMeta` (kind, flow row) start at twice its index. */
/** Bits of a leg's kind: a sell leg (else a buy leg); initiated by the account (its side was the aggressor, or the aggressor is unknown). */
const SELL = 1;
const INITIATED = 2;

function createConcentratedTrading(config: Config, shared: SharedState): Detector {
  const t = config.thresholds;
  const windowMs = t.concentration_window_ms;
  /** All mutable state, in one object so a checkpoint is `snapshot()` of it and a restore swaps it. */
  let st: State = { executions: new AccountExecutions(), accounts: AccountIds.of(shared), symbols: new Map(), due: new DeadlineQueue() };

  function stateOf(symbol: string, tsMs: number): SymbolState {
    let s = st.symbols.get(symbol);
    if (!s) {
      s = {
        symbol,
        due: Infinity,
        legs: [],
        legMeta: [],
        legIds: [],
        head: 0,
        buy: { sumSq: 0, total: 0 },
        sell: { sumSq: 0, total: 0 },
        trades: 0,
        flows: new FlowTable(st.accounts),
        accounts: 0,
        seq: 0,
        episodes: new Map(),
        lastTsMs: tsMs,
      };
      st.symbols.set(symbol, s);
    }
    return s;
  }

  /** Adds (`sign` 1) or removes (-1) a leg of `kind` (`SELL`, `INITIATED` bits) and quantity `qty` of the flow in row `slot` (-1: anonymous). */
  function apply(s: SymbolState, kind: number, qty: number, slot: number, sign: 1 | -1): void {
    const sell = (kind & SELL) !== 0;
    const book = sell ? s.sell : s.buy;
    book.total += sign * qty;
    if (!sell) s.trades += sign;
    if (slot < 0) return;
    const f = s.flows.rows;
    const r = FlowTable.at(slot);
    const buyBefore = Math.max(0, f[r + BOUGHT_INIT]! - f[r + SOLD]!);
    const sellBefore = Math.max(0, f[r + SOLD_INIT]! - f[r + BOUGHT]!);
    const initiated = (kind & INITIATED) !== 0;
    if (!sell) {
      f[r + BOUGHT]! += sign * qty;
      if (initiated) f[r + BOUGHT_INIT]! += sign * qty;
    } else {
      f[r + SOLD]! += sign * qty;
      if (initiated) f[r + SOLD_INIT]! += sign * qty;
    }
    const buyAfter = Math.max(0, f[r + BOUGHT_INIT]! - f[r + SOLD]!);
    const sellAfter = Math.max(0, f[r + SOLD_INIT]! - f[r + BOUGHT]!);
    if (buyBefore !== buyAfter) {
      s.buy.sumSq += buyAfter * buyAfter - buyBefore * buyBefore;
      if (f[r + BUY_NET] === 0 && buyAfter > 1e-9) f[r + BUY_SEQ] = s.seq++;
      f[r + BUY_NET] = buyAfter > 1e-9 ? buyAfter : 0;
    }
    if (sellBefore !== sellAfter) {
      s.sell.sumSq += sellAfter * sellAfter - sellBefore * sellBefore;
      if (f[r + SELL_NET] === 0 && sellAfter > 1e-9) f[r + SELL_SEQ] = s.seq++;
      f[r + SELL_NET] = sellAfter > 1e-9 ? sellAfter : 0;
    }
    // Nothing bought or sold any more: start the sums over from zero (float residue must not linger).
    if (f[r + BOUGHT]! <= 1e-9 && f[r + SOLD]! <= 1e-9) f[r + BOUGHT] = f[r + SOLD] = f[r + BOUGHT_INIT] = f[r + SOLD_INIT] = 0;
    const wasPresent = f[r + LEGS]! > 0;
    f[r + LEGS]! += sign;
    if (f[r + LEGS]! <= 0) f[r + LEGS] = 0;
    if (wasPresent !== f[r + LEGS]! > 0) s.accounts += wasPresent ? -1 : 1;
    // Its numbers are now those of a new flow (zeros; the sequence numbers are set before they are read).
    if (f[r + LEGS] === 0 && f[r + BOUGHT] === 0 && f[r + SOLD] === 0 && f[r + BUY_NET] === 0 && f[r + SELL_NET] === 0)
      s.flows.release(slot);
  }

  function expire(s: SymbolState, nowMs: number): void {
    const cutoff = nowMs - windowMs;
    const n = s.legIds.length;
    const legs = s.legs;
    let h = s.head;
    for (; h < n && legs[2 * h]! < cutoff; h++) apply(s, s.legMeta[2 * h]!, legs[2 * h + 1]!, s.legMeta[2 * h + 1]!, -1);
    s.head = h;
    if (h > 1024 && h * 2 > n) {
      s.legs.splice(0, 2 * h);
      s.legMeta.splice(0, 2 * h);
      s.legIds.splice(0, h);
      s.head = 0;
    }
    // Recompute Σq² now and then: incremental float sums drift over an endless stream.
    if (s.head === 0 && s.legIds.length === 0) {
      s.buy.sumSq = 0;
      s.sell.sumSq = 0;
    }
  }

  /** A new leg of symbol `s`: `account` '' when anonymous, `aggressor` the trade's aggressor side when known. */
  function onLeg(
    s: SymbolState,
    tsMs: number,
    side: Side,
    account: string,
    qty: number,
    aggressor: Side | undefined,
    id: string,
    ctx: DetectorContext,
  ): void {
    s.lastTsMs = Math.max(s.lastTsMs, tsMs);
    expire(s, ctx.now);
    const kind = (side === 'sell' ? SELL : 0) | (aggressor === undefined || aggressor === side ? INITIATED : 0);
    const slot = account === '' ? -1 : s.flows.slotOf(account);
    s.legs.push(tsMs, qty);
    s.legMeta.push(kind, slot);
    s.legIds.push(id);
    apply(s, kind, qty, slot, 1);
    // The leg (and an episode it may hold) expires one window after its time: be visited by then.
    schedule(s, tsMs + windowMs);
    if (account === '') return;
    judge(s, side, tsMs, ctx);
  }

  /** Makes sure `onTime` looks at `s` once event time passes `due` (an earlier visit is harmless). */
  function schedule(s: SymbolState, due: number): void {
    if (due >= s.due) return;
    s.due = due;
    st.due.push(due, s);
  }

  /**
   * The time after which a tick has something to do for `s`: its oldest leg leaves the window or an
   * episode ends. A tick before it would change nothing (nothing to pop, nothing to delete), which
   * is why visiting only due symbols gives the same state as the walk over all symbols did.
   */
  function nextDue(s: SymbolState): number {
    let t = s.head < s.legIds.length ? s.legs[2 * s.head]! : Infinity;
    for (const ep of s.episodes.values()) t = Math.min(t, ep.lastHoldMs);
    return t + windowMs;
  }

  /** One tick's work for one symbol (unchanged from the walk over all symbols). */
  function visit(s: SymbolState, nowMs: number): void {
    expire(s, nowMs);
    for (const [k, ep] of s.episodes) if (nowMs - ep.lastHoldMs > windowMs) s.episodes.delete(k);
    if (s.head >= s.legIds.length && s.episodes.size === 0) {
      s.flows.dropAll();
      st.symbols.delete(s.symbol);
    } else schedule(s, nextDue(s));
  }

  /** Judges `side` of `s` after a named leg at `tsMs`. */
  function judge(s: SymbolState, side: Side, tsMs: number, ctx: DetectorContext): void {
    const symbol = s.symbol;
    if (s.trades < t.concentration_min_trades || s.accounts < t.concentration_min_accounts) return;
    const book = side === 'buy' ? s.buy : s.sell;
    if (book.total <= 0) return;
    const hhi = book.sumSq / (book.total * book.total);
    if (hhi < t.concentration_threshold) return;
    let top = '';
    let topQty = 0;
    let topSlot = -1;
    const f = s.flows.rows;
    const net = side === 'buy' ? BUY_NET : SELL_NET;
    for (const slot of s.flows.used()) {
      const q = f[FlowTable.at(slot) + net]!;
      if (q === 0) continue;
      const a = s.flows.account(slot);
      if (q > topQty || (q === topQty && a < top)) {
        top = a;
        topQty = q;
        topSlot = slot;
      }
    }
    const share = topQty / book.total;
    if (share < t.concentration_top_share) return;

    // One episode per symbol and side: a change of the leading account extends it rather than raising a new alert.
    const epKey = side;
    let ep = s.episodes.get(epKey);
    const windowStart = s.head < s.legIds.length ? s.legs[2 * s.head]! : tsMs;
    if (!ep) {
      ep = {
        key: `${symbol}|${side}|${windowStart}`,
        side,
        top,
        startMs: windowStart,
        lastHoldMs: tsMs,
        accounts: new Set(),
        tradeIds: [],
        seenIds: new Set(),
        lastEmitHhi: 0,
        lastEmitShare: 0,
        lastEmitTrades: 0,
        peakHhi: 0,
        peakShare: 0,
      };
      s.episodes.set(epKey, ep);
    }
    ep.lastHoldMs = tsMs;
    ep.peakHhi = Math.max(ep.peakHhi, hhi);
    ep.peakShare = Math.max(ep.peakShare, share);
    const material =
      ep.lastEmitTrades === 0 || hhi >= ep.lastEmitHhi + 0.05 || share >= ep.lastEmitShare + 0.05 || s.trades >= ep.lastEmitTrades * 2;
    if (!material) return;
    ep.lastEmitHhi = hhi;
    ep.lastEmitShare = share;
    ep.lastEmitTrades = s.trades;
    // The dominating accounts: the top one plus any holding at least half the top share threshold.
    const seq = side === 'buy' ? BUY_SEQ : SELL_SEQ;
    const dominant: [string, number][] = [];
    const order: number[] = [];
    for (const slot of s.flows.used()) {
      const q = f[FlowTable.at(slot) + net]!;
      if (q === 0 || (slot !== topSlot && q / book.total < t.concentration_top_share / 2)) continue;
      dominant.push([s.flows.account(slot), q]);
      order.push(f[FlowTable.at(slot) + seq]!);
    }
    // Largest first; ties in the order the accounts came to hold their flow.
    const rank = dominant.map((_, i) => i).sort((i, j) => dominant[j]![1] - dominant[i]![1] || order[i]! - order[j]!);
    const ranked = rank.map((i) => dominant[i]!);
    for (const [a] of ranked) ep.accounts.add(a);
    // Evidence: the dominating accounts' legs on this side in the window (bounded; scanned only when emitting).
    const kind = side === 'sell' ? SELL : 0;
    for (let i = s.head; i < s.legIds.length && ep.tradeIds.length < MAX_IDS; i++) {
      const slot = s.legMeta[2 * i + 1]!;
      const id = s.legIds[i]!;
      if ((s.legMeta[2 * i]! & SELL) === kind && slot >= 0 && ep.accounts.has(s.flows.account(slot)) && !ep.seenIds.has(id)) {
        ep.seenIds.add(id);
        ep.tradeIds.push(id);
      }
    }

    const accounts = [...ep.accounts].sort();
    const overHhi = (hhi - t.concentration_threshold) / Math.max(1e-9, 1 - t.concentration_threshold);
    const overShare = (share - t.concentration_top_share) / Math.max(1e-9, 1 - t.concentration_top_share);
    const sideWord = side === 'buy' ? 'buying' : 'selling';
    // How one-way the top account traded: net over gross on its side (1 = it never traded the other way).
    const topGross = f[FlowTable.at(topSlot) + (side === 'buy' ? BOUGHT : SOLD)]!;
    const oneSided = topGross > 0 ? Math.min(1, topQty / topGross) : 0;
    ctx.emit({
      pattern: 'concentrated_trading',
      episodeKey: ep.key,
      description:
        `${symbol}: account ${top} did ${pct(share)} of all ${sideWord} (initiated, net of its own opposite trades) (${fmt(topQty)} of ${fmt(book.total)}) over the last ` +
        `${windowMs / 60000} min; HHI of ${sideWord} shares ${hhi.toFixed(3)} (thresholds: top share ${pct(t.concentration_top_share)}, HHI ${t.concentration_threshold}) ` +
        `across ${s.trades} trades and ${s.accounts} accounts. Review for control of ${side === 'buy' ? 'demand' : 'supply'} (MAR Annex II 1(a)(i)).`,
      // Confidence: how far past both thresholds, and whether the account trades one way only (no liquidity provision).
      confidence: Math.min(1, 0.45 + 0.2 * overHhi + 0.2 * overShare + 0.15 * oneSided),
      // Risk: how dominant and how much activity is involved.
      riskScore: Math.min(
        1,
        0.25 + 0.4 * share + 0.15 * Math.min(1, Math.log10(s.trades / t.concentration_min_trades + 1) * 2) + 0.1 * oneSided,
      ),
      tsMs: tsMs,
      windowStartMs: ep.startMs,
      windowEndMs: tsMs,
      symbols: [symbol],
      accounts,
      evidence: {
        tradeIds: ep.tradeIds.slice(),
        orderIds: [],
        metrics: [
          { name: 'hhi', value: round4(hhi), threshold: t.concentration_threshold, op: '>=' },
          { name: 'top_share', value: round4(share), threshold: t.concentration_top_share, op: '>=', unit: 'ratio' },
          { name: 'window_trades', value: s.trades, threshold: t.concentration_min_trades, op: '>=' },
          { name: 'window_accounts', value: s.accounts, threshold: t.concentration_min_accounts, op: '>=' },
          { name: 'top_qty', value: topQty, unit: 'qty' },
          { name: 'side_volume', value: book.total, unit: 'qty' },
          { name: 'top_one_sidedness', value: round4(oneSided), unit: 'ratio' },
        ],
        details: {
          side,
          top_account: top,
          shares: Object.fromEntries(ranked.map(([a, q]) => [a, round4(q / book.total)])),
          window_ms: windowMs,
        },
      },
    });
  }

  return {
    onTrade(t: Trade, ctx: DetectorContext): void {
      const fresh = st.executions.markTrade(t);
      if (fresh === 0) return;
      const s = stateOf(t.symbol, t.tsMs);
      if (fresh & BUY_LEG) onLeg(s, t.tsMs, 'buy', t.buyer, t.qty, t.side, t.tradeId, ctx);
      if (fresh & SELL_LEG) onLeg(s, t.tsMs, 'sell', t.seller, t.qty, t.side, t.tradeId, ctx);
    },
    onOrder(order: OrderEvent, ctx: DetectorContext): void {
      if (order.action !== 'fill') return;
      for (const l of st.executions.fromFill(order).legs)
        onLeg(stateOf(l.symbol, l.tsMs), l.tsMs, l.side, l.account, l.qty, l.aggressor, l.id, ctx);
    },
    onTime(ctx: DetectorContext): void {
      st.executions.expire(ctx.now);
      visitDue(st.due, ctx.now, (s) => visit(s, ctx.now));
      st.accounts.reclaim();
    },
    snapshot(): unknown {
      return st;
    },
    restore(state: unknown): void {
      st = state as State;
    },
  };
}

export const concentratedTrading: DetectorFactory = {
  pattern: 'concentrated_trading',
  version: 2,
  create: createConcentratedTrading,
};
