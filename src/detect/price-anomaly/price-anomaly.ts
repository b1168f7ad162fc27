import type { Config } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { SlotExtremes } from '../window/slot-extremes.js';
import { SlotSampleRings } from '../window/slot-sample-rings.js';
import { SlotTable } from '../window/slot-table.js';
import { SlotValueRings } from '../window/slot-value-rings.js';
import { identity, madSigmaOfSorted, quantileOfSorted, sortedOf, trimmedMeanOfSorted } from '../window/value-ring.js';
import { medianInPlace, scratchOf } from '../window/select.js';
import { round4 } from '../format.js';
import { RecentIdRings } from './recent-id-ring.js';
import { PriceTapes, TAPE } from './price-tapes.js';

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
 * A symbol's numbers, in its row of the slot table (window/slot-table.ts). The last three raw trade
 * prices, newest in RAW_C; RAW_N of them seen (≤ 3): their median is the settled price, so one
 * off-market print moves nothing.
 */
const RAW_A = 0;
const RAW_B = 1;
const RAW_C = 2;
const RAW_N = 3;
/**
 * Typical tick move: the moves' median as of the latest short-window close (≥ 0), or, while it is
 * not computed yet (see tickMoveOf), −1 − the tick ring's push count at that close.
 */
const TICK_MOVE = 4;
/**
 * Then per window length k (ascending), from HORIZON + k × HORIZON_FIELDS: the current calendar
 * window's start and open price (window returns feed the volatility at this length), and the
 * robust volatility of this length's window returns (NaN while warming up; STALE while out of
 * date: returns were added since, it is computed when first needed, see sigmaOf).
 */
const HORIZON = 5;
const WINDOW_START = 0;
const OPEN_PRICE = 1;
const SIGMA = 2;
const HORIZON_FIELDS = 3;
/** A volatility (≥ 0 or NaN) never is. */
const STALE = -1;

interface Episode {
  readonly key: string;
  direction: 'up' | 'down';
  readonly startMs: number;
  lastMs: number;
  peakMove: number;
}

const MAX_IDS = 200;
/** Trade-to-trade moves whose median is the typical tick move. */
const TICKS = 64;
/** Values computed from a symbol's tape (scratch, not state). */
const tapeValues = new Float64Array(TAPE);

/** The state of one price_anomaly detector (the checkpoint): see the fields' comment in the class. */
interface State {
  symbols: SlotTable;
  lows: SlotExtremes;
  highs: SlotExtremes;
  returns: SlotValueRings;
  ticks: SlotSampleRings;
  tape: PriceTapes;
  recent: RecentIdRings;
  episodes: (Episode | null)[];
}

/**
 * The detector as a class: one set of methods for every engine. As closures made per engine, each
 * engine had its own `tickMoveOf`, `sigmaFor`, … and optimised code that had inlined one engine's
 * threw itself away at the first call of another's ("wrong call target"): in the live engine,
 * after the warm-up's, at its first move past price_min_move.
 */
class PriceAnomaly implements Detector {
  private readonly t: Config['thresholds'];
  private readonly windowMs: number;
  private readonly lengths: number[];
  private readonly shortestMs: number;
  private readonly width: number;
  /**
   * All mutable state (the checkpoint), by symbol slot (window/slot-table.ts): the symbol's numbers
   * (a row), the price range over the rolling window of each length (k 0 the shortest), past window
   * returns of each length (ring k for length k; their statistics are read only when a move passes
   * price_min_move: no sorted copy kept), the non-zero trade-to-trade moves |log p_i/p_(i-1)| (the
   * symbol's tick and bid-ask bounce), recent trade ids (bounded, as evidence) and open episodes.
   * A symbol's first TAPE trades are kept on a tape instead of the returns and moves (see
   * PriceTapes: most symbols of a wide universe never leave it).
   */
  private st: State;

  constructor(config: Config) {
    const t = config.thresholds;
    this.t = t;
    const windowMs = t.price_window_ms;
    this.windowMs = windowMs;
    const lengths = [...new Set([t.price_short_window_ms, windowMs])].sort((a, b) => a - b);
    this.lengths = lengths;
    const shortestMs = lengths[0]!;
    this.shortestMs = shortestMs;
    const longestMs = lengths[lengths.length - 1]!;
    /** Symbols idle for longer than the volatility history would stay meaningful are forgotten. */
    const idleMs = windowMs * 200;
    const width = HORIZON + lengths.length * HORIZON_FIELDS;
    this.width = width;
    this.st = {
      symbols: new SlotTable(width, idleMs),
      lows: new SlotExtremes(shortestMs, longestMs, true),
      highs: new SlotExtremes(shortestMs, longestMs, false),
      returns: new SlotValueRings(100, lengths.length),
      ticks: new SlotSampleRings(TICKS),
      tape: new PriceTapes(lengths.length),
      recent: new RecentIdRings(),
      episodes: [],
    };
  }

  /** A new symbol (or one back after being forgotten) in `slot`, first trading at `price` at `tsMs`. */
  private open(slot: number, tsMs: number, price: number): void {
    const f = this.st.symbols.f;
    const row = slot * this.width;
    f[row + RAW_A] = f[row + RAW_B] = f[row + RAW_C] = NaN;
    f[row + RAW_N] = 0;
    f[row + TICK_MOVE] = 0;
    for (let k = 0; k < this.lengths.length; k++) {
      const b = row + HORIZON + k * HORIZON_FIELDS;
      const w = this.lengths[k]!;
      f[b + WINDOW_START] = tsMs - (tsMs % w);
      f[b + OPEN_PRICE] = price;
      f[b + SIGMA] = NaN;
    }
    this.st.lows.open(slot);
    this.st.highs.open(slot);
    this.st.tape.open(slot);
    this.st.recent.open(slot);
    while (this.st.episodes.length <= slot) this.st.episodes.push(null);
    this.st.episodes[slot] = null;
  }

  /** Forgets the symbol in `slot` (idle): its rings and deques go back to their pools. */
  private close(slot: number): void {
    this.st.lows.close(slot);
    this.st.highs.close(slot);
    const ring = this.st.tape.ring(slot);
    if (ring >= 0) {
      this.st.returns.close(ring);
      this.st.ticks.close(ring);
    }
    this.st.tape.close(slot);
    this.st.recent.close(slot);
    this.st.episodes[slot] = null;
  }

  /**
   * Volatility over length k: its own returns' spread once warmed up; until then the shorter
   * lengths' spreads scaled by √time (the largest: bid-ask noise inflates short returns, so scaling
   * them up errs on the calm side).
   */
  private sigmaFor(slot: number, k: number): number {
    const f = this.st.symbols.f;
    const row = slot * this.width;
    if (this.sigmaOf(slot, k) > 0) return f[row + HORIZON + k * HORIZON_FIELDS + SIGMA]!;
    let out = NaN;
    for (let o = 0; o < this.lengths.length; o++) {
      if (!(this.sigmaOf(slot, o) > 0)) continue;
      const scaled = f[row + HORIZON + o * HORIZON_FIELDS + SIGMA]! * Math.sqrt(this.lengths[k]! / this.lengths[o]!);
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
  private sigmaOf(slot: number, k: number): number {
    const f = this.st.symbols.f;
    const b = slot * this.width + HORIZON + k * HORIZON_FIELDS;
    if (f[b + SIGMA] === STALE) {
      const ring = this.st.tape.ring(slot);
      if (ring < 0) {
        const n = this.st.tape.returnsInto(slot, k, tapeValues);
        const madSigma = madSigmaOfSorted(sortedOf(tapeValues, 0, n, identity), n);
        f[b + SIGMA] = spreadOf(madSigma, sortedOf(tapeValues, 0, n, Math.abs), n);
      } else {
        const r = this.st.returns;
        const madSigma = r.madSigma(ring, k);
        f[b + SIGMA] = spreadOf(madSigma, r.sortedAbs(ring, k), r.size(ring, k));
      }
    }
    return f[b + SIGMA]!;
  }

  /**
   * The typical tick move as of the latest short-window close, computed when first needed (a
   * median per close was a quarter of price_anomaly's time, and only a move past price_min_move
   * reads it): from the moves the window held then, so the value computing it at the close gave.
   */
  private tickMoveOf(slot: number): number {
    const f = this.st.symbols.f;
    const row = slot * this.width;
    const at = -1 - f[row + TICK_MOVE]!;
    if (at >= 0) {
      const ring = this.st.tape.ring(slot);
      f[row + TICK_MOVE] = this.st.ticks.sizeAt(at) < 10 ? 0 : ring < 0 ? this.tapeMedianAt(slot, at) : this.st.ticks.medianAt(ring, at);
    }
    return f[row + TICK_MOVE]!;
  }

  /** SlotSampleRings.medianAt of the tick moves on `slot`'s tape: the window of moves before move number `at`, gathered oldest first. */
  private tapeMedianAt(slot: number, at: number): number {
    this.st.tape.ticksInto(slot, tapeValues);
    const n = this.st.ticks.sizeAt(at);
    const gathered = scratchOf(n);
    for (let i = 0; i < n; i++) gathered[i] = tapeValues[at - n + i]!;
    return medianInPlace(gathered, n);
  }

  /** Moves `slot` off its tape (its next trade does not fit): its returns and moves pushed to its rings, in order. */
  private leaveTape(slot: number): void {
    const returns: number[][] = [];
    for (let k = 0; k < this.lengths.length; k++) {
      const n = this.st.tape.returnsInto(slot, k, tapeValues);
      returns.push(Array.from(tapeValues.subarray(0, n)));
    }
    const n = this.st.tape.ticksInto(slot, tapeValues);
    const ring = this.st.tape.leave(slot);
    this.st.returns.open(ring);
    this.st.ticks.open(ring);
    for (let k = 0; k < this.lengths.length; k++) for (const v of returns[k]!) this.st.returns.push(ring, k, v);
    for (let i = 0; i < n; i++) this.st.ticks.push(ring, tapeValues[i]!);
  }

  onTrade(trade: Trade, ctx: DetectorContext): void {
    const { t, lengths, width, windowMs, shortestMs, st } = this;
    const { symbols, returns, ticks, tape } = st;
    let slot = symbols.slotOf(trade.symbol);
    // Back after a quiet spell: its deques shrink to what they hold while it waits for the next trade.
    const quiet = slot >= 0 && trade.tsMs >= symbols.lastTsMs(slot) + shortestMs;
    if (slot < 0) {
      slot = symbols.add(trade.symbol);
      this.open(slot, trade.tsMs, trade.price);
    }
    // The scale at which the tape keeps this price (asked once: `record` takes it); −1 off the tape.
    let scale = -1;
    if (tape.ring(slot) < 0) {
      scale = tape.scaleFor(slot, trade.price);
      if (scale < 0) this.leaveTape(slot);
    }
    const ring = tape.ring(slot);
    const onTape = ring < 0;
    const f = symbols.f;
    const row = slot * width;
    for (let k = 0; k < lengths.length; k++) {
      const b = row + HORIZON + k * HORIZON_FIELDS;
      const w = lengths[k]!;
      // Window-to-window returns feed the symbol's volatility estimate at this length. Still in
      // the current window (window starts are multiples of its length): no remainder to compute
      // (a floating-point `%` on epoch ms is a library call, several per trade across detectors).
      if (trade.tsMs < f[b + WINDOW_START]! + w) continue;
      const ws = trade.tsMs - (trade.tsMs % w);
      // Close-to-close on raw trade prices: bid-ask noise stays in the volatility (errs on the calm
      // side). A window closes only on a later trade than the symbol's first: RAW_C holds a price.
      const close = f[row + RAW_C]!;
      const open = f[b + OPEN_PRICE]!;
      const pushed = close > 0 && open > 0;
      if (onTape) tape.closeWindow(slot, k, pushed);
      else if (pushed) returns.push(ring, k, Math.log(close / open));
      f[b + WINDOW_START] = ws;
      f[b + OPEN_PRICE] = close;
      if ((onTape ? tape.returns(slot, k) : returns.size(ring, k)) >= t.price_min_volatility_windows) f[b + SIGMA] = STALE;
      if (k === 0) f[row + TICK_MOVE] = -1 - (onTape ? tape.ticks(slot) : ticks.pushed(ring));
    }
    const prev = f[row + RAW_C]!;
    const tick = f[row + RAW_N]! > 0 && trade.price !== prev && prev > 0;
    if (onTape) tape.record(slot, trade.price, scale, tick);
    else if (tick) {
      // The ring holds the window of a pending tick move only until TICKS more moves came.
      if (f[row + TICK_MOVE]! < 0 && ticks.pushed(ring) - (-1 - f[row + TICK_MOVE]!) >= TICKS) this.tickMoveOf(slot);
      ticks.push(ring, Math.abs(Math.log(trade.price / prev)));
    }
    f[row + RAW_A] = f[row + RAW_B]!;
    f[row + RAW_B] = prev;
    f[row + RAW_C] = trade.price;
    if (f[row + RAW_N]! < 3) f[row + RAW_N] = f[row + RAW_N]! + 1;
    // A late or off-market print (a single trade far from the others, then back) is not a move.
    const price = f[row + RAW_N]! < 3 ? trade.price : median3(f[row + RAW_A]!, f[row + RAW_B]!, f[row + RAW_C]!);
    symbols.touch(trade.symbol, slot, trade.tsMs);
    st.recent.push(slot, trade.tsMs, trade.tradeId);
    st.recent.expire(slot, trade.tsMs - windowMs, MAX_IDS);

    // The strongest move among the horizons: by the fixed threshold (long window) or by volatility.
    // In locals, not an object: during a large move nearly every trade has one (~5k objects per
    // 20k events of the live feed's burst).
    let bestK = -1;
    let bestMove = 0;
    let bestDirection: 'up' | 'down' = 'up';
    let bestFromPrice = 0;
    let bestFromMs = 0;
    let bestZ = 0;
    let bestByThreshold = false;
    const { lows, highs } = st;
    lows.push(slot, trade.tsMs, price);
    highs.push(slot, trade.tsMs, price);
    for (let k = 0; k < lengths.length; k++) {
      const low = lows.value(slot, k);
      const high = highs.value(slot, k);
      const rise = price / low - 1;
      const fall = 1 - price / high;
      const direction: 'up' | 'down' = rise >= fall ? 'up' : 'down';
      const move = Math.max(rise, fall);
      const byThreshold = lengths[k] === windowMs && move >= t.price_change_threshold;
      // Below both bars (the volatility rule needs price_min_move too), as nearly every trade is:
      // nothing to judge, so no logarithm and no volatility lookup.
      if (!byThreshold && !(move >= t.price_min_move)) continue;
      const fromPrice = direction === 'up' ? low : high;
      const fromMs = direction === 'up' ? lows.atMs(slot, k) : highs.atMs(slot, k);
      const sigma = this.sigmaFor(slot, k);
      const logMove = Math.abs(Math.log(price / fromPrice));
      const z = sigma > 0 ? logMove / sigma : NaN;
      // A move of a few ticks across a wide spread (bid-ask bounce) is not an anomaly, however calm.
      const byVolatility = z >= t.price_volatility_z && move >= t.price_min_move && logMove >= t.price_min_ticks * this.tickMoveOf(slot);
      if (!byThreshold && !byVolatility) continue;
      if (
        bestK < 0 ||
        (byThreshold && !bestByThreshold) ||
        (byThreshold === bestByThreshold && (byThreshold ? move > bestMove : z > bestZ))
      ) {
        bestK = k;
        bestMove = move;
        bestDirection = direction;
        bestFromPrice = fromPrice;
        bestFromMs = fromMs;
        bestZ = z;
        bestByThreshold = byThreshold;
      }
    }
    if (quiet) {
      lows.trim(slot);
      highs.trim(slot);
      st.recent.trim(slot);
    }
    if (bestK < 0) return;
    const move = bestMove;
    const direction = bestDirection;
    const fromPrice = bestFromPrice;
    const fromMs = bestFromMs;
    const z = bestZ;
    const byThreshold = bestByThreshold;

    // One episode per burst of anomalous moves, whichever way: a price whipsawing after a shock
    // is one event for a reviewer, not an alert per swing.
    let e = st.episodes[slot] ?? null;
    if (!e || trade.tsMs - e.lastMs > windowMs) {
      e = { key: `${trade.symbol}|${direction}|${fromMs}`, direction, startMs: fromMs, lastMs: trade.tsMs, peakMove: 0 };
      st.episodes[slot] = e;
    }
    e.lastMs = trade.tsMs;
    // Update the alert only when the move grows noticeably (keeps updates few on long moves).
    if (move < e.peakMove * 1.1 && e.peakMove > 0) return;
    e.peakMove = move;
    e.direction = direction;
    const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
    const minutes = `${+(lengths[bestK]! / 60000).toFixed(2)}-min`;
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
        tradeIds: st.recent.since(slot, fromMs),
        orderIds: [],
        metrics: [
          { name: 'price_move', value: round4(move), threshold: t.price_change_threshold, op: '>=', unit: 'ratio' },
          { name: 'from_price', value: fromPrice },
          { name: 'to_price', value: price },
          ...(Number.isFinite(z) ? [{ name: 'volatility_z', value: round4(z), threshold: t.price_volatility_z, op: '>=' as const }] : []),
          ...(this.tickMoveOf(slot) > 0 ? [{ name: 'typical_tick_move', value: round4(f[row + TICK_MOVE]!), unit: 'log' }] : []),
        ],
        details: { direction, window_ms: lengths[bestK]!, rule: byThreshold ? 'threshold' : 'volatility' },
      },
    });
  }

  onTime(ctx: DetectorContext): void {
    // Forget idle symbols; only those whose deadline passed are looked at (no walk over all
    // symbols per tick). A popped symbol that traded since is queued at its new deadline.
    // An arrow made here, not a method bound per engine: forgetIdle's call sees one creation site.
    this.st.symbols.forgetIdle(ctx.now, (slot) => this.close(slot));
  }

  snapshot(): unknown {
    return this.st;
  }

  restore(state: unknown): void {
    this.st = state as State;
  }
}

/**
 * A window length's volatility from its returns' statistics: returns are heavy-tailed (thin pairs:
 * mostly flat, now and then a jump of several ticks), and a jump is judged against the tail, so the
 * spread is the largest of: MAD (the middle), the 80th percentile of |return| (1.2816 σ for a
 * normal; it sees jumps that happen in more than a fifth of windows, yet a few past anomalies
 * cannot inflate it), and a mean absolute return without its largest 10% (a mostly-flat series is
 * not judged against zero volatility). `abs`: the n returns' |values|, ascending (one sort serves
 * both statistics of them).
 */
function spreadOf(madSigma: number, abs: Float64Array, n: number): number {
  return Math.max(madSigma, quantileOfSorted(abs, n, 0.8) / 1.2816, 1.2533 * trimmedMeanOfSorted(abs, n, 0.1));
}

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

export const priceAnomaly: DetectorFactory = {
  pattern: 'price_anomaly',
  version: 2,
  create: (config: Config): Detector => new PriceAnomaly(config),
};
