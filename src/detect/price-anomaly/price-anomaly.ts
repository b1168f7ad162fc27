import type { Config } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { SPARSE_TRIMS } from '../window/sparse.js';
import { SampleRing } from '../window/sample-ring.js';
import { TimeRange } from '../window/time-range.js';
import { ValueRingPair } from '../window/value-ring-pair.js';
import { round4 } from '../format.js';
import { DeadlineQueue, forgetIdle } from '../window/deadline-queue.js';
import { RecentIdRing } from './recent-id-ring.js';
import { stateClass } from '../../engine/snapshot.js';

/**
 * price_anomaly (docs/detectors/price_anomaly.md): the price of a symbol moves, within
 * `price_window_ms`, by at least `price_change_threshold` from the window's low (a rise) or high (a
 * fall); or, within that window or the short one (`price_short_window_ms`), by at least
 * `price_volatility_z` of the symbol's own volatility over that horizon, and by no less than
 * `price_min_move` and `price_min_ticks` typical trade-to-trade moves (bid-ask bounce).
 *
 * Volatility per window length: the robust spread (MAD, floored by a trimmed mean absolute return)
 * of the symbol's own close-to-close returns over past calendar windows of that length; while the
 * long length warms up, the short one's spread scaled by √time (random walk). The short window
 * warms up fast (20 one-minute returns instead of 20 five-minute ones) and judges a move over the
 * horizon it actually took: a 5% jump in 40 s is far more extreme than 5% over five minutes.
 * One alert per episode: anomalous moves (either way) within a window of the last one extend it.
 */

/**
 * A symbol's numbers, in one array of unboxed doubles (`f`) instead of fields that each hold a heap
 * number of their own, and instead of an object per window length (~0.2 KB per symbol).
 */
/** Settled price: the median of the last three trades, so one off-market print moves nothing. */
const LAST_PRICE = 0;
/** The last three raw trade prices, newest in RAW_C; RAW_N of them seen (≤ 3). */
const RAW_A = 1;
const RAW_B = 2;
const RAW_C = 3;
const RAW_N = 4;
/** Typical tick move: the moves' median as of the latest short-window close (see tickMoveOf). */
const TICK_MOVE = 5;
/** `ticks.pushed` at that close while TICK_MOVE is not computed yet; −1 once it is. */
const TICK_MOVE_AT = 6;
/** The symbol's latest trade time and its idle deadline (`lastTsMs` and `due`, as forgetIdle reads them). */
const LAST_TS = 7;
const DUE = 8;
/**
 * Then per window length k (ascending), from HORIZON + k × HORIZON_FIELDS: the current calendar
 * window's start and open price (window returns feed the volatility at this length), the robust
 * volatility of this length's window returns (NaN while warming up), and 1 while that is out of
 * date (returns were added since; it is computed when first needed, see sigmaOf).
 */
const HORIZON = 9;
const WINDOW_START = 0;
const OPEN_PRICE = 1;
const SIGMA = 2;
const SIGMA_STALE = 3;
const HORIZON_FIELDS = 4;

/**
 * A symbol's state. A class, not an object literal, only so that `lastTsMs` and `due` (epoch ms:
 * each a heap number of its own as a field) can live in `f`.
 */
class PriceSymbol {
  /** Times its state was trimmed (`SPARSE_TRIMS` caps it: each trim copies the rings). */
  trims = 0;
  episode: { readonly key: string; direction: 'up' | 'down'; readonly startMs: number; lastMs: number; peakMove: number } | null = null;

  constructor(
    readonly f: number[],
    /** The price range over the rolling window of each length (k 0 the shortest; one deque pair for both). */
    readonly extremes: TimeRange,
    /** Past window returns of each length, ring k for length k (their statistics are read only when a move passes price_min_move: no sorted copy kept). */
    readonly returns: ValueRingPair,
    /** Non-zero trade-to-trade moves |log p_i/p_(i-1)|: the symbol's tick and bid-ask bounce. */
    readonly ticks: SampleRing,
    /** Recent trade ids (bounded), as evidence of the move. */
    readonly recent: RecentIdRing,
  ) {}

  get lastTsMs(): number {
    return this.f[LAST_TS]!;
  }
  set lastTsMs(v: number) {
    this.f[LAST_TS] = v;
  }
  /** When the symbol is next checked for idleness (its entry in the deadline queue). */
  get due(): number {
    return this.f[DUE]!;
  }
  set due(v: number) {
    this.f[DUE] = v;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(PriceSymbol);

type SymbolState = PriceSymbol;

const MAX_IDS = 200;
/** Trade-to-trade moves whose median is the typical tick move. */
const TICKS = 64;

function createPriceAnomaly(config: Config): Detector {
  const t = config.thresholds;
  const windowMs = t.price_window_ms;
  const lengths = [...new Set([t.price_short_window_ms, windowMs])].sort((a, b) => a - b);
  /** All mutable state (the checkpoint): per-symbol horizons, tick sizes and open episodes; symbols by idle deadline. */
  let st = { states: new Map<string, SymbolState>(), queue: new DeadlineQueue<string>() };
  /** Symbols idle for longer than the volatility history would stay meaningful are forgotten. */
  const idleMs = windowMs * 200;

  const two = lengths.length === 2;

  /**
   * Volatility over length k: its own returns' spread once warmed up; until then the shorter
   * lengths' spreads scaled by √time (the largest: bid-ask noise inflates short returns, so scaling
   * them up errs on the calm side).
   */
  function sigmaFor(s: SymbolState, k: number): number {
    if (sigmaOf(s, k) > 0) return s.f[HORIZON + k * HORIZON_FIELDS + SIGMA]!;
    let out = NaN;
    for (let o = 0; o < lengths.length; o++) {
      if (!(sigmaOf(s, o) > 0)) continue;
      const scaled = s.f[HORIZON + o * HORIZON_FIELDS + SIGMA]! * Math.sqrt(lengths[k]! / lengths[o]!);
      if (!(scaled <= out)) out = scaled;
    }
    return out;
  }

  /**
   * Length k's volatility as of its latest window return, computed when first needed: only a
   * move past price_min_move asks for it, so most windows close without the statistics being run
   * (they were half of price_anomaly's time). The returns change only when a window closes, so
   * the value is the one computing it at the close gave.
   */
  function sigmaOf(s: SymbolState, k: number): number {
    const b = HORIZON + k * HORIZON_FIELDS;
    if (s.f[b + SIGMA_STALE] === 1) {
      // Returns are heavy-tailed (thin pairs: mostly flat, now and then a jump of several ticks),
      // and a jump is judged against the tail, so the spread is the largest of: MAD (the middle),
      // the 80th percentile of |return| (1.2816 σ for a normal; it sees jumps that happen in more
      // than a fifth of windows, yet a few past anomalies cannot inflate it), and a mean absolute
      // return without its largest 10% (a mostly-flat series is not judged against zero volatility).
      const r = s.returns;
      s.f[b + SIGMA] = Math.max(r.madSigma(k), r.quantileAbs(k, 0.8) / 1.2816, 1.2533 * r.trimmedMeanAbs(k, 0.1));
      s.f[b + SIGMA_STALE] = 0;
    }
    return s.f[b + SIGMA]!;
  }

  /**
   * The typical tick move as of the latest short-window close, computed when first needed (a
   * median per close was a quarter of price_anomaly's time, and only a move past price_min_move
   * reads it): from the moves the window held then, so the value computing it at the close gave.
   */
  function tickMoveOf(s: SymbolState): number {
    const f = s.f;
    const at = f[TICK_MOVE_AT]!;
    if (at >= 0) {
      f[TICK_MOVE] = s.ticks.sizeAt(at) >= 10 ? s.ticks.medianAt(at) : 0;
      f[TICK_MOVE_AT] = -1;
    }
    return f[TICK_MOVE]!;
  }

  /** Drops the room pushes reserved in a symbol's windows and rings (memory only: no value changes). */
  function trim(s: SymbolState): void {
    s.trims++;
    s.extremes.trim();
    s.returns.trim();
    s.ticks.trim();
    s.recent.trim();
  }

  return {
    onTrade(trade: Trade, ctx: DetectorContext): void {
      let s = st.states.get(trade.symbol);
      // New, or back after a quiet spell and not yet trimmed SPARSE_TRIMS times: trim (window/sparse.ts).
      const sparse = !s || (s.trims < SPARSE_TRIMS && trade.tsMs >= s.lastTsMs + lengths[0]!);
      if (!s) {
        const init = [trade.price, NaN, NaN, NaN, 0, 0, -1, trade.tsMs, Infinity];
        for (const w of lengths) init.push(trade.tsMs - (trade.tsMs % w), trade.price, NaN, 0);
        s = new PriceSymbol(
          // A copy: exactly its length, and doubles from the first element (no elements-kind change later).
          init.slice(),
          new TimeRange(lengths[0]!, lengths[lengths.length - 1]!),
          new ValueRingPair(100, two),
          new SampleRing(TICKS),
          new RecentIdRing(),
        );
        st.states.set(trade.symbol, s);
      }
      const f = s.f;
      for (let k = 0; k < lengths.length; k++) {
        const b = HORIZON + k * HORIZON_FIELDS;
        const w = lengths[k]!;
        // Window-to-window returns feed the symbol's volatility estimate at this length. Still in
        // the current window (window starts are multiples of its length): no remainder to compute
        // (a floating-point `%` on epoch ms is a library call, several per trade across detectors).
        if (trade.tsMs < f[b + WINDOW_START]! + w) continue;
        const ws = trade.tsMs - (trade.tsMs % w);
        // Close-to-close on raw trade prices: bid-ask noise stays in the volatility (errs on the calm side).
        const close = f[RAW_N]! > 0 ? f[RAW_C]! : f[LAST_PRICE]!;
        const open = f[b + OPEN_PRICE]!;
        if (close > 0 && open > 0) s.returns.push(k, Math.log(close / open));
        f[b + WINDOW_START] = ws;
        f[b + OPEN_PRICE] = close;
        if (s.returns.size(k) >= t.price_min_volatility_windows) f[b + SIGMA_STALE] = 1;
        if (k === 0) f[TICK_MOVE_AT] = s.ticks.pushed;
      }
      const prev = f[RAW_C]!;
      if (f[RAW_N]! > 0 && trade.price !== prev && prev > 0) {
        // The ring holds the window of a pending tick move only until TICKS more moves came.
        if (f[TICK_MOVE_AT]! >= 0 && s.ticks.pushed - f[TICK_MOVE_AT]! >= TICKS) tickMoveOf(s);
        s.ticks.push(Math.abs(Math.log(trade.price / prev)));
      }
      f[RAW_A] = f[RAW_B]!;
      f[RAW_B] = prev;
      f[RAW_C] = trade.price;
      if (f[RAW_N]! < 3) f[RAW_N] = f[RAW_N]! + 1;
      // A late or off-market print (a single trade far from the others, then back) is not a move.
      const price = f[RAW_N]! < 3 ? trade.price : median3(f[RAW_A], f[RAW_B], f[RAW_C]);
      f[LAST_PRICE] = price;
      s.lastTsMs = trade.tsMs;
      // Queued again only when the idle deadline comes earlier (a new symbol, a late trade).
      if (trade.tsMs + idleMs < s.due) {
        s.due = trade.tsMs + idleMs;
        st.queue.push(s.due, trade.symbol);
      }
      s.recent.push(trade.tsMs, trade.tradeId);
      s.recent.expire(trade.tsMs - windowMs, MAX_IDS);

      // The strongest move among the horizons: by the fixed threshold (long window) or by volatility.
      let best: {
        move: number;
        direction: 'up' | 'down';
        fromPrice: number;
        fromMs: number;
        z: number;
        k: number;
        byThreshold: boolean;
      } | null = null;
      const g = s.extremes;
      g.push(trade.tsMs, price);
      for (let k = 0; k < lengths.length; k++) {
        const low = g.min(k);
        const high = g.max(k);
        const rise = price / low - 1;
        const fall = 1 - price / high;
        const direction: 'up' | 'down' = rise >= fall ? 'up' : 'down';
        const move = Math.max(rise, fall);
        const byThreshold = lengths[k] === windowMs && move >= t.price_change_threshold;
        // Below both bars (the volatility rule needs price_min_move too), as nearly every trade is:
        // nothing to judge, so no logarithm and no volatility lookup.
        if (!byThreshold && !(move >= t.price_min_move)) continue;
        const fromPrice = direction === 'up' ? low : high;
        const fromMs = direction === 'up' ? g.minAtMs(k) : g.maxAtMs(k);
        const sigma = sigmaFor(s, k);
        const logMove = Math.abs(Math.log(price / fromPrice));
        const z = sigma > 0 ? logMove / sigma : NaN;
        // A move of a few ticks across a wide spread (bid-ask bounce) is not an anomaly, however calm.
        const byVolatility = z >= t.price_volatility_z && move >= t.price_min_move && logMove >= t.price_min_ticks * tickMoveOf(s);
        if (!byThreshold && !byVolatility) continue;
        if (
          !best ||
          (byThreshold && !best.byThreshold) ||
          (byThreshold === best.byThreshold && (byThreshold ? move > best.move : z > best.z))
        ) {
          best = { move, direction, fromPrice, fromMs, z, k, byThreshold };
        }
      }
      if (sparse) trim(s);
      if (!best) return;
      const { move, direction, fromPrice, fromMs, z, byThreshold } = best;

      // One episode per burst of anomalous moves, whichever way: a price whipsawing after a shock
      // is one event for a reviewer, not an alert per swing.
      let e = s.episode;
      if (!e || trade.tsMs - e.lastMs > windowMs) {
        e = { key: `${trade.symbol}|${direction}|${fromMs}`, direction, startMs: fromMs, lastMs: trade.tsMs, peakMove: 0 };
        s.episode = e;
      }
      e.lastMs = trade.tsMs;
      // Update the alert only when the move grows noticeably (keeps updates few on long moves).
      if (move < e.peakMove * 1.1 && e.peakMove > 0) return;
      e.peakMove = move;
      e.direction = direction;
      const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
      const minutes = `${+(lengths[best.k]! / 60000).toFixed(2)}-min`;
      const rule = byThreshold
        ? `threshold ${pct(t.price_change_threshold)}`
        : `${z.toFixed(1)}× its typical ${minutes} move (threshold ${t.price_volatility_z}×)`;
      ctx.emit({
        pattern: 'price_anomaly',
        episodeKey: e.key,
        description:
          `${trade.symbol}: price ${direction === 'up' ? 'rose' : 'fell'} ${pct(move)} from ${fromPrice} to ${price} ` +
          `within ${((trade.tsMs - fromMs) / 1000).toFixed(0)}s (${rule}).`,
        confidence: byThreshold
          ? Math.min(1, 0.6 + move / t.price_change_threshold / 5)
          : Math.min(1, 0.4 + 0.3 * (z / t.price_volatility_z - 1)),
        riskScore: Math.min(1, 0.3 + move * 1.5),
        tsMs: trade.tsMs,
        windowStartMs: e.startMs,
        windowEndMs: trade.tsMs,
        symbols: [trade.symbol],
        accounts: [],
        evidence: {
          tradeIds: s.recent.since(fromMs),
          orderIds: [],
          metrics: [
            { name: 'price_move', value: round4(move), threshold: t.price_change_threshold, op: '>=', unit: 'ratio' },
            { name: 'from_price', value: fromPrice },
            { name: 'to_price', value: price },
            ...(Number.isFinite(z) ? [{ name: 'volatility_z', value: round4(z), threshold: t.price_volatility_z, op: '>=' as const }] : []),
            ...(tickMoveOf(s) > 0 ? [{ name: 'typical_tick_move', value: round4(f[TICK_MOVE]!), unit: 'log' }] : []),
          ],
          details: { direction, window_ms: lengths[best.k]!, rule: byThreshold ? 'threshold' : 'volatility' },
        },
      });
    },
    onTime(ctx: DetectorContext): void {
      // Forget idle symbols; only those whose deadline passed are looked at (no walk over all
      // symbols per tick). A popped symbol that traded since is queued at its new deadline.
      forgetIdle(st.queue, st.states, ctx.now, idleMs);
    },
    snapshot: () => st,
    restore(state: unknown): void {
      st = state as typeof st;
    },
  };
}

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

export const priceAnomaly: DetectorFactory = {
  pattern: 'price_anomaly',
  version: 2,
  create: createPriceAnomaly,
};
