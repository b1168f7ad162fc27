import type { Config } from '../../config/config.js';
import type { Finding } from '../../domain/alert.js';
import type { Side, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { WindowMin } from './window-min.js';
import { RunRing } from '../window/run-ring.js';
import { medianOf } from '../window/select.js';
import { DeadlineQueue } from '../window/deadline-queue.js';
import { BucketLog, BUY_TRADES, BUY_VOLUME, VOLUME } from './bucket-log.js';
import { TightIds } from '../window/tight-ids.js';
import { grownCapacity, regrowNumbers, regrowStrings } from '../window/arrays.js';
import { RecentBuyers } from './recent-buyers.js';
import { iso, pct, round4 } from '../format.js';
import { stateClass } from '../../engine/snapshot.js';

/**
 * pump_and_dump (docs/detectors/pump_and_dump.md): on the symbol's own tape,
 *   1. the price reaches ≥ (1 + pump_price_rise) × the pre-pump reference, where the reference is
 *      the higher of the median bucket close over pump_reference_ms and the lowest trade within
 *      pump_window_ms (so the rise is recent and measured from where the symbol normally trades);
 *   2. the volume, or the number of buyer-initiated trades, during the rise (from the last trade at
 *      or below the reference) is ≥ pump_volume_multiplier × the symbol's median per-bucket level
 *      over pump_baseline_ms scaled to that span (robust; thin pairs with an empty median bucket
 *      fall back to sliding pump-window sums);
 *   3. early alert (during the pump) when there were ≥ pump_min_rush_seconds "rush" seconds
 *      (≥ pump_rush_buys distinct aggressive buy orders in one second) and buyers initiated
 *      ≥ pump_min_buy_share of the window volume. Without rush the episode is kept silently and
 *      alerts only when the dump confirms.
 *   4. dump: the price gives back ≥ dump_reversal of the rise within dump_window_ms of the peak; the
 *      same alert (same episode key) is updated with higher confidence and risk.
 * Works on anonymous tapes (aggressor side from the tape, else the tick rule); when accounts exist,
 * the affected users are the most active buyers of the pump and sellers of the dump.
 * Reads Trades only (the tape): order `fill` events are not counted, so venue data carrying both
 * never double counts.
 */

const MAX_IDS = 500;
const TOP_ACCOUNTS = 5;
/** Re-emit during the pump only when the rise has grown by this factor since the last emission. */
const GROWTH_STEP = 1.5;
/** Trades whose median price judges the dump. */
const DUMP_MEDIAN_TRADES = 7;
/** A symbol's rush orders before its first buy, shared: never written (the first buy gives it arrays of its own). */
const NO_ORDER_MS: number[] = [];
const NO_ORDER_BUYERS: string[] = [];
/** Likewise for the rush seconds (a push only into an array with entries: the first one gets its own). */
const NO_RUSH: number[] = [];

interface Episode {
  readonly key: string;
  readonly startMs: number;
  readonly refPrice: number;
  readonly baselineVolume: number;
  readonly detectedMs: number;
  /** When the alert was first raised (the alert's timestamp; later updates keep it). */
  alertedMs: number | null;
  /** The last few trade prices: the dump is judged on their median, not on one print. */
  readonly lastPrices: number[];
  peakPrice: number;
  peakMs: number;
  lastMs: number;
  lowAfterPeak: number;
  volume: number;
  notional: number;
  trades: number;
  rushSeconds: number;
  windowVolumeAtDetection: number;
  buyShareAtDetection: number;
  tradeIds: string[];
  buyers: Map<string, number>;
  sellers: Map<string, number>;
  alerted: boolean;
  emittedRise: number;
  confirmedMs: number | null;
  roundTrip: boolean;
}

/**
 * A symbol's windows and rings size their arrays themselves (window/arrays.ts): with 100k symbols
 * trading a few times a day, the room a push reserves was most of their memory, and trimming it by
 * copies allocated at every return of a symbol after a quiet spell.
 */
interface SymbolState {
  /** Creation order: onTime handles due symbols in it, as the walk over the states map did. */
  readonly seq: number;
  /** Earliest time this symbol's state may need onTime (its episode closing, or its expiry). */
  due: number;
  bucketStartMs: number;
  bucketVolume: number;
  bucketBuyTrades: number;
  /** Last trade at or below the pre-pump reference: where a rise above it began. */
  lastAtRefMs: number;
  bucketBuyVolume: number;
  lastPrice: number;
  lastSide: Side;
  lastTsMs: number;
  /**
   * Closed buckets over the baseline horizon (a day of one-minute buckets): volume, buyer-initiated
   * volume and trades, the non-empty ones only (the pump window's buckets are its newest). Was a
   * ring of every bucket (two day-long series and a window ring): a symbol trading every twenty
   * minutes wrote twenty buckets per trade and took the medians of hundreds of zeros.
   */
  buckets: BucketLog;
  bucketsSinceBaseline: number;
  /** Bucket closes (carried forward) over the reference span, as runs of equal closes, and their median. */
  closes: RunRing;
  refMedian: number;
  /**
   * The baselines are taken at a refresh (buckets closed then: `baselineAt`, −1 before the first;
   * the bucket log keeps that ring) and computed when first read: every trade asks only whether the
   * volume baseline is positive (`baselineValid`: −1 unknown, 0, 1; see BucketLog.baselinePositive),
   * the values themselves only a price past the pump bar. A median over a day of buckets per refresh
   * was half of pump_and_dump's time on symbols trading every minute or two.
   */
  baselineAt: number;
  baselineValid: number;
  /** Median window volume (see BucketLog.windowBaseline), valid when `baselineReady`. */
  baseline: number;
  baselineReady: boolean;
  /** Median trade count of a pump window (sliding), like `baseline` for volume. */
  baselineBuyTrades: number;
  buyTradesReady: boolean;
  /** The window's low (only the minimum is read). */
  extremes: WindowMin;
  /**
   * Rush detection: the current second, the distinct buy orders (millisecond, buyer) seen in it
   * until it became a rush (at most pump_rush_buys: a scan beats building a key string per trade),
   * and recent rush seconds. The first order is in `firstOrderMs`/`firstOrderBuyer` (a symbol
   * trading a few times a day never has two in one second: no arrays), the others in the first
   * `secondOrders` − 1 slots of the arrays (their length is their capacity), which a new second
   * reuses (emptying them dropped their storage, so every buy in a new second allocated two arrays
   * again).
   */
  secondMs: number;
  firstOrderMs: number;
  firstOrderBuyer: string;
  secondOrderMs: number[];
  secondOrderBuyer: string[];
  secondOrders: number;
  secondIsRush: boolean;
  rushTimes: number[];
  /** Recent trade ids of the window, as evidence when an episode opens. */
  recentIds: TightIds;
  /** Buy quantity by buyer over the last one to two pump windows (rotated every window). */
  readonly recentBuyers: RecentBuyers;
  bucketsSinceBuyersRotated: number;
  episode: Episode | null;
}

/** Indexes of PumpSymbol's number fields in its array `f` (its constructor's argument, in this order). */
const DUE = 0;
const BUCKET_START_MS = 1;
const BUCKET_VOLUME = 2;
const BUCKET_BUY_VOLUME = 3;
const LAST_AT_REF_MS = 4;
const LAST_PRICE = 5;
const LAST_TS_MS = 6;
const REF_MEDIAN = 7;
const BASELINE = 8;
const BASELINE_BUY_TRADES = 9;
const SECOND_MS = 10;
const FIRST_ORDER_MS = 11;

/** Bits of PumpSymbol's `flags`. */
const FLAG_SELL = 1;
const FLAG_BASELINE_READY = 2;
const FLAG_BUY_TRADES_READY = 4;
const FLAG_SECOND_IS_RUSH = 8;
const VALID_SHIFT = 4;

/**
 * A symbol's state. Its fields that hold non-integers (times, prices, volumes, baselines) are one
 * array of doubles behind accessors: as object fields each was a heap number of its own (16 B beside
 * its 8 B slot; ~190 B per symbol, 100k symbols).
 */
class PumpSymbol implements SymbolState {
  bucketBuyTrades = 0;
  bucketsSinceBaseline = 0;
  baselineAt = -1;
  firstOrderBuyer = '';
  secondOrderMs = NO_ORDER_MS;
  secondOrderBuyer = NO_ORDER_BUYERS;
  secondOrders = 0;
  rushTimes = NO_RUSH;
  /** lastSide, baselineValid and the three booleans in one small integer (see FLAG_*): one slot, not five. */
  private flags = FLAG_BASELINE_READY | FLAG_BUY_TRADES_READY; // side buy, baselineValid −1, not a rush
  bucketsSinceBuyersRotated = 0;
  episode: Episode | null = null;

  constructor(
    readonly seq: number,
    private readonly f: number[],
    public buckets: BucketLog,
    public closes: RunRing,
    public extremes: WindowMin,
    public recentIds: TightIds,
    readonly recentBuyers: RecentBuyers,
  ) {}

  get lastSide(): Side {
    return this.flags & FLAG_SELL ? 'sell' : 'buy';
  }
  set lastSide(v: Side) {
    this.flags = v === 'sell' ? this.flags | FLAG_SELL : this.flags & ~FLAG_SELL;
  }
  get baselineReady(): boolean {
    return (this.flags & FLAG_BASELINE_READY) !== 0;
  }
  set baselineReady(v: boolean) {
    this.flags = v ? this.flags | FLAG_BASELINE_READY : this.flags & ~FLAG_BASELINE_READY;
  }
  get buyTradesReady(): boolean {
    return (this.flags & FLAG_BUY_TRADES_READY) !== 0;
  }
  set buyTradesReady(v: boolean) {
    this.flags = v ? this.flags | FLAG_BUY_TRADES_READY : this.flags & ~FLAG_BUY_TRADES_READY;
  }
  get secondIsRush(): boolean {
    return (this.flags & FLAG_SECOND_IS_RUSH) !== 0;
  }
  set secondIsRush(v: boolean) {
    this.flags = v ? this.flags | FLAG_SECOND_IS_RUSH : this.flags & ~FLAG_SECOND_IS_RUSH;
  }
  /** −1, 0 or 1, stored plus one in two bits. */
  get baselineValid(): number {
    return ((this.flags >> VALID_SHIFT) & 3) - 1;
  }
  set baselineValid(v: number) {
    this.flags = (this.flags & ~(3 << VALID_SHIFT)) | ((v + 1) << VALID_SHIFT);
  }

  get due(): number {
    return this.f[DUE]!;
  }
  set due(v: number) {
    this.f[DUE] = v;
  }
  get bucketStartMs(): number {
    return this.f[BUCKET_START_MS]!;
  }
  set bucketStartMs(v: number) {
    this.f[BUCKET_START_MS] = v;
  }
  get bucketVolume(): number {
    return this.f[BUCKET_VOLUME]!;
  }
  set bucketVolume(v: number) {
    this.f[BUCKET_VOLUME] = v;
  }
  get bucketBuyVolume(): number {
    return this.f[BUCKET_BUY_VOLUME]!;
  }
  set bucketBuyVolume(v: number) {
    this.f[BUCKET_BUY_VOLUME] = v;
  }
  get lastAtRefMs(): number {
    return this.f[LAST_AT_REF_MS]!;
  }
  set lastAtRefMs(v: number) {
    this.f[LAST_AT_REF_MS] = v;
  }
  get lastPrice(): number {
    return this.f[LAST_PRICE]!;
  }
  set lastPrice(v: number) {
    this.f[LAST_PRICE] = v;
  }
  get lastTsMs(): number {
    return this.f[LAST_TS_MS]!;
  }
  set lastTsMs(v: number) {
    this.f[LAST_TS_MS] = v;
  }
  get refMedian(): number {
    return this.f[REF_MEDIAN]!;
  }
  set refMedian(v: number) {
    this.f[REF_MEDIAN] = v;
  }
  get baseline(): number {
    return this.f[BASELINE]!;
  }
  set baseline(v: number) {
    this.f[BASELINE] = v;
  }
  get baselineBuyTrades(): number {
    return this.f[BASELINE_BUY_TRADES]!;
  }
  set baselineBuyTrades(v: number) {
    this.f[BASELINE_BUY_TRADES] = v;
  }
  get secondMs(): number {
    return this.f[SECOND_MS]!;
  }
  set secondMs(v: number) {
    this.f[SECOND_MS] = v;
  }
  get firstOrderMs(): number {
    return this.f[FIRST_ORDER_MS]!;
  }
  set firstOrderMs(v: number) {
    this.f[FIRST_ORDER_MS] = v;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(PumpSymbol);

function createPumpAndDump(config: Config): Detector {
  const t = config.thresholds;
  const bucketMs = t.pump_bucket_ms;
  const windowMs = t.pump_window_ms;
  const windowBuckets = Math.max(1, Math.round(windowMs / bucketMs));
  const historyBuckets = Math.max(windowBuckets, Math.round(t.pump_baseline_ms / bucketMs));
  const closeBuckets = Math.max(1, Math.round(t.pump_reference_ms / bucketMs));
  const minBuckets = windowBuckets * t.pump_min_baseline_windows;
  /**
   * All mutable state (the checkpoint): per-symbol buckets, baselines and open episodes, and the
   * symbols by the time onTime must look at them.
   */
  let st = { states: new Map<string, SymbolState>(), queue: new DeadlineQueue<string>(), nextSeq: 0 };

  function newState(trade: Trade): SymbolState {
    const bucketStartMs = trade.tsMs - (trade.tsMs % bucketMs);
    return new PumpSymbol(
      st.nextSeq++,
      [Infinity, bucketStartMs, 0, 0, -Infinity, trade.price, trade.tsMs, NaN, NaN, NaN, -Infinity, NaN],
      new BucketLog(historyBuckets),
      new RunRing(closeBuckets),
      new WindowMin(windowMs),
      new TightIds(),
      new RecentBuyers(),
    );
  }

  /** Closes buckets up to the one holding `tsMs`: feeds volume history, window rings and closes. */
  function roll(s: SymbolState, tsMs: number): void {
    // Still in the current bucket (starts are multiples of its length): no floating-point `%` per trade.
    if (tsMs < s.bucketStartMs + bucketMs) return;
    const target = tsMs - (tsMs % bucketMs);
    const closed = Math.min(Math.round((target - s.bucketStartMs) / bucketMs), historyBuckets);
    // The bucket that ends, then the empty ones of a quiet spell (only counted: see BucketLog).
    s.buckets.close(s.bucketVolume, s.bucketBuyVolume, s.bucketBuyTrades, closed);
    // Each closed bucket's close is the last price (carried forward).
    s.closes.pushRepeated(s.lastPrice, Math.min(closed, closeBuckets));
    s.bucketsSinceBaseline += closed;
    s.bucketsSinceBuyersRotated += closed;
    if (s.bucketsSinceBuyersRotated >= windowBuckets) {
      // Keep buyer tallies to the recent past, so memory stays bounded and evidence stays relevant.
      s.recentBuyers.rotate(s.bucketsSinceBuyersRotated >= 2 * windowBuckets);
      s.bucketsSinceBuyersRotated = 0;
    }
    s.bucketStartMs = target;
    s.bucketVolume = 0;
    s.bucketBuyVolume = 0;
    s.bucketBuyTrades = 0;
    s.refMedian = s.closes.median();
    // Refresh every bucket while the history is short (it changes fast), then once a window.
    const filled = s.buckets.filled;
    const refresh = s.bucketsSinceBaseline >= windowBuckets || filled < 4 * windowBuckets || baselineIsNaN(s);
    if (filled >= minBuckets && refresh) {
      // A pump window's typical volume (or trade count): windowBuckets × the median bucket over the
      // history. Single buckets, not window sums: a burst of k buckets (news, a block, another
      // episode) touches k buckets but k + windowBuckets − 1 sliding sums, so the per-bucket median
      // stays at the symbol's ordinary level when bursts are frequent. Thin pairs whose median
      // bucket is empty fall back to the median of sliding window sums, then to their mean.
      // Taken now (the ring as of now, pinned), computed when read.
      const at = s.buckets.closed;
      s.buckets.pin(at);
      s.baselineAt = at;
      s.baselineValid = -1;
      s.baselineReady = false;
      s.buyTradesReady = false;
      s.bucketsSinceBaseline = 0;
    }
  }

  /** The volume baseline as of its refresh (computed at the first read). */
  function baselineOf(s: SymbolState): number {
    if (!s.baselineReady) {
      s.baseline = s.buckets.windowBaseline(VOLUME, windowBuckets, s.baselineAt);
      s.baselineReady = true;
    }
    return s.baseline;
  }

  /** The buyer-initiated trade count baseline as of its refresh (computed at the first read). */
  function buyTradesBaselineOf(s: SymbolState): number {
    if (!s.buyTradesReady) {
      s.baselineBuyTrades = s.buckets.windowBaseline(BUY_TRADES, windowBuckets, s.baselineAt);
      s.buyTradesReady = true;
    }
    return s.baselineBuyTrades;
  }

  /** Whether the volume baseline is > 0 (NaN is not), without computing it when the log can tell. */
  function baselinePositive(s: SymbolState): boolean {
    if (s.baselineReady) return s.baseline > 0;
    if (s.baselineValid < 0) s.baselineValid = s.buckets.baselinePositive(VOLUME, windowBuckets, s.baselineAt) ? 1 : 0;
    return s.baselineValid === 1;
  }

  /**
   * Whether the volume baseline is NaN. A refresh takes it over at least a pump window of buckets
   * (minBuckets), where it is a number for positive quantities: computed only for other values.
   */
  function baselineIsNaN(s: SymbolState): boolean {
    if (s.baselineReady) return Number.isNaN(s.baseline);
    if (s.buckets.regular && Math.min(s.baselineAt, historyBuckets) >= windowBuckets) return false;
    return Number.isNaN(baselineOf(s));
  }

  /** Tracks "rush" seconds: ≥ pump_rush_buys distinct aggressive buy orders within one second. */
  function trackRush(s: SymbolState, trade: Trade, side: Side): void {
    // A new second unless within the current one (saves the floating-point `%` on most trades).
    const second = trade.tsMs >= s.secondMs && trade.tsMs < s.secondMs + 1000 ? s.secondMs : trade.tsMs - (trade.tsMs % 1000);
    if (second !== s.secondMs) {
      s.secondMs = second;
      s.secondOrders = 0;
      s.secondIsRush = false;
    }
    if (side !== 'buy' || s.secondIsRush) return;
    // Fills of one sweeping order share its millisecond (and buyer, when known): one order.
    let ms = s.secondOrderMs;
    let buyers = s.secondOrderBuyer;
    const n = s.secondOrders;
    // Order 0 in the fields, order i ≥ 1 in slot i − 1 of the arrays.
    let seen = n > 0 && s.firstOrderMs === trade.tsMs && s.firstOrderBuyer === trade.buyer;
    for (let i = 0; i < n - 1 && !seen; i++) seen = ms[i] === trade.tsMs && buyers[i] === trade.buyer;
    if (!seen) {
      if (n === 0) {
        s.firstOrderMs = trade.tsMs;
        s.firstOrderBuyer = trade.buyer;
      } else {
        if (n - 1 === ms.length) {
          const capacity = grownCapacity(n - 1, n);
          s.secondOrderMs = ms = regrowNumbers(ms, 0, n - 1, capacity);
          s.secondOrderBuyer = buyers = regrowStrings(buyers, 0, n - 1, capacity);
        }
        ms[n - 1] = trade.tsMs;
        buyers[n - 1] = trade.buyer;
      }
      s.secondOrders = n + 1;
    }
    if (s.secondOrders >= t.pump_rush_buys) {
      s.secondIsRush = true;
      if (s.rushTimes.length === 0) s.rushTimes = [second];
      else s.rushTimes.push(second);
      if (s.episode) s.episode.rushSeconds++;
    }
  }

  function windowVolumes(s: SymbolState): { volume: number; buy: number } {
    return spanVolumes(s, windowBuckets);
  }

  /** Volume, buyer-initiated volume and buyer-initiated trades of the current bucket and the newest `buckets` − 1 closed ones. */
  function spanVolumes(s: SymbolState, buckets: number): { volume: number; buy: number; trades: number } {
    // The current bucket, then the closed ones newest first (the additions a window ring gave).
    const closed = Math.min(buckets, windowBuckets) - 1;
    const volume = s.buckets.addNewest(s.bucketVolume, VOLUME, closed);
    const buy = s.buckets.addNewest(s.bucketBuyVolume, BUY_VOLUME, closed);
    const trades = s.buckets.addNewest(s.bucketBuyTrades, BUY_TRADES, closed);
    return { volume, buy, trades };
  }

  /** Buckets from the one holding `fromMs` to the current one (1 … windowBuckets). */
  function bucketsSince(s: SymbolState, fromMs: number): number {
    if (!Number.isFinite(fromMs)) return windowBuckets;
    const first = fromMs - (fromMs % bucketMs);
    return Math.min(windowBuckets, Math.max(1, Math.round((s.bucketStartMs - first) / bucketMs) + 1));
  }

  function expireRecent(s: SymbolState, nowMs: number): void {
    const cutoff = nowMs - windowMs;
    let drop = 0;
    while (drop < s.rushTimes.length && s.rushTimes[drop]! < cutoff) drop++;
    if (drop > 0) s.rushTimes.splice(0, drop);
    s.recentIds.expire(cutoff, MAX_IDS);
  }

  function emit(symbol: string, e: Episode, ctx: DetectorContext, nowMs: number, note: 'pump' | 'dump' | 'round_trip' | 'no_dump'): void {
    e.alerted = true;
    e.alertedMs ??= nowMs;
    const rise = e.peakPrice / e.refPrice - 1;
    e.emittedRise = rise;
    const giveBack = e.peakPrice > e.refPrice ? (e.peakPrice - e.lowAfterPeak) / (e.peakPrice - e.refPrice) : 0;
    const volRatio = e.baselineVolume > 0 ? e.windowVolumeAtDetection / e.baselineVolume : Infinity;
    const confirmed = e.confirmedMs !== null;
    const over = (x: number, th: number): number => Math.log2(Math.max(1, x / th));
    // Confidence: the three pump indicators past their thresholds; the dump is the strongest sign.
    let confidence =
      0.45 +
      0.08 * Math.min(2, over(rise, t.pump_price_rise)) +
      0.04 * Math.min(2, over(Math.min(volRatio, 1e6), t.pump_volume_multiplier)) +
      0.04 * Math.min(2, e.rushSeconds / Math.max(1, t.pump_min_rush_seconds) / 2);
    if (confirmed) confidence += 0.2;
    if (note === 'no_dump') confidence *= 0.6;
    // Risk: price impact, traded size against the symbol's norm, and whether buyers were left holding.
    const risk =
      0.25 +
      0.25 * Math.min(1, rise / (5 * t.pump_price_rise)) +
      0.15 * Math.min(1, Math.log10(Math.max(1, Math.min(volRatio, 1e6) / t.pump_volume_multiplier)) / 2) +
      (confirmed ? 0.2 + 0.15 * Math.min(1, giveBack) : 0);
    const topBuyers = top(e.buyers);
    const topSellers = top(e.sellers);
    const accounts = [...new Set([...topBuyers, ...topSellers])];
    const windowMin = windowMs / 60_000;
    let description =
      `${symbol}: price rose ${pct(rise)} from the pre-pump reference ${fmt(e.refPrice)} to ${fmt(e.peakPrice)} ` +
      `(threshold ${pct(t.pump_price_rise)} within ${windowMin} min) on ${fmtRatio(volRatio)} the symbol's median volume for the span of the rise ` +
      `(threshold ${t.pump_volume_multiplier}×), with ${e.rushSeconds} rush second(s) of ≥${t.pump_rush_buys} aggressive buys; pump from ${iso(e.startMs)}, peak at ${iso(e.peakMs)}.`;
    if (confirmed) {
      description += ` Dump confirmed at ${iso(e.confirmedMs!)}: ${pct(giveBack)} of the rise given back (threshold ${pct(t.dump_reversal)} within ${t.dump_window_ms / 60_000} min).`;
    } else if (note === 'no_dump') {
      description += ` No dump followed within ${t.dump_window_ms / 60_000} min of the peak: possibly news-driven; review.`;
    } else {
      description += ' Dump not (yet) seen: watch for a reversal.';
    }
    if (topBuyers.length > 0) description += ` Most active buyers: ${topBuyers.join(', ')}.`;
    if (topSellers.length > 0) description += ` Sellers into the dump: ${topSellers.join(', ')}.`;
    const finding: Finding = {
      pattern: 'pump_and_dump',
      episodeKey: e.key,
      description,
      confidence: Math.min(0.98, confidence),
      riskScore: Math.min(1, risk),
      tsMs: e.alertedMs,
      windowStartMs: e.startMs,
      windowEndMs: Math.max(e.lastMs, e.startMs),
      symbols: [symbol],
      accounts,
      evidence: {
        tradeIds: e.tradeIds,
        orderIds: [],
        metrics: [
          { name: 'price_rise', value: round4(rise), threshold: t.pump_price_rise, op: '>=', unit: 'fraction' },
          { name: 'reference_price', value: e.refPrice, unit: 'price' },
          { name: 'peak_price', value: e.peakPrice, unit: 'price' },
          { name: 'window_volume_ratio', value: round4(Math.min(volRatio, 1e6)), threshold: t.pump_volume_multiplier, op: '>=', unit: '×' },
          { name: 'baseline_window_volume', value: e.baselineVolume, unit: 'qty' },
          { name: 'rush_seconds', value: e.rushSeconds, threshold: t.pump_min_rush_seconds, op: '>=', unit: 'seconds' },
          {
            name: 'buy_share_at_detection',
            value: round4(e.buyShareAtDetection),
            threshold: t.pump_min_buy_share,
            op: '>=',
            unit: 'fraction',
          },
          { name: 'dump_give_back', value: round4(giveBack), threshold: t.dump_reversal, op: '>=', unit: 'fraction of rise' },
          { name: 'episode_volume', value: e.volume, unit: 'qty' },
          { name: 'episode_notional', value: e.notional, unit: 'quote' },
          { name: 'episode_trades', value: e.trades },
        ],
        details: {
          phase: note,
          updated_at: iso(nowMs),
          detected_at: iso(e.detectedMs),
          confirmed_at: e.confirmedMs === null ? null : iso(e.confirmedMs),
          peak_at: iso(e.peakMs),
          top_buyers: topBuyers,
          top_sellers: topSellers,
        },
      },
    };
    ctx.emit(finding);
  }

  function openEpisode(
    symbol: string,
    s: SymbolState,
    trade: Trade,
    ref: number,
    volume: number,
    baselineVolume: number,
    buyShare: number,
    early: boolean,
    ctx: DetectorContext,
  ): void {
    // The rise starts at the window's low when that is the reference, else at the window's start.
    const startMs = Number.isFinite(s.extremes.minAtMs) ? s.extremes.minAtMs : trade.tsMs;
    const e: Episode = {
      key: `${symbol}|${startMs}`,
      startMs,
      refPrice: ref,
      baselineVolume: baselineVolume,
      detectedMs: trade.tsMs,
      alertedMs: null,
      lastPrices: [],
      peakPrice: trade.price,
      peakMs: trade.tsMs,
      lastMs: trade.tsMs,
      lowAfterPeak: trade.price,
      volume,
      notional: 0,
      trades: 0,
      rushSeconds: s.rushTimes.length,
      windowVolumeAtDetection: volume,
      buyShareAtDetection: buyShare,
      tradeIds: s.recentIds.all(),
      buyers: s.recentBuyers.tallies(),
      sellers: new Map(),
      alerted: false,
      emittedRise: 0,
      confirmedMs: null,
      roundTrip: false,
    };
    s.episode = e;
    if (early) emit(symbol, e, ctx, trade.tsMs, 'pump');
  }

  /** Ends an episode whose dump window has passed; an early alert never confirmed is marked so. */
  function closeIfDone(symbol: string, s: SymbolState, nowMs: number, ctx: DetectorContext): void {
    const e = s.episode;
    if (!e || nowMs - e.peakMs <= t.dump_window_ms) return;
    if (e.alerted && e.confirmedMs === null) emit(symbol, e, ctx, nowMs, 'no_dump');
    s.episode = null;
  }

  /** The earliest time onTime may have to act on the symbol: close its episode, or forget it. */
  function dueOf(s: SymbolState): number {
    const idle = s.lastTsMs + t.pump_baseline_ms;
    return s.episode ? Math.min(idle, s.episode.peakMs + t.dump_window_ms) : idle;
  }

  /** Queues the symbol earlier when a trade brought its due time forward (a new episode, a late trade). */
  function schedule(symbol: string, s: SymbolState): void {
    const due = dueOf(s);
    if (due < s.due) {
      s.due = due;
      st.queue.push(due, symbol);
    }
  }

  function onTrade(trade: Trade, ctx: DetectorContext): SymbolState {
    let s = st.states.get(trade.symbol);
    if (!s) {
      s = newState(trade);
      st.states.set(trade.symbol, s);
    }
    onSymbolTrade(s, trade, ctx);
    return s;
  }

  function onSymbolTrade(s: SymbolState, trade: Trade, ctx: DetectorContext): void {
    roll(s, trade.tsMs);
    closeIfDone(trade.symbol, s, trade.tsMs, ctx);
    // Aggressor side from the tape; else the tick rule (up-tick = buy, same price = as before).
    const side: Side = trade.side ?? (trade.price > s.lastPrice ? 'buy' : trade.price < s.lastPrice ? 'sell' : s.lastSide);
    s.lastSide = side;
    s.lastPrice = trade.price;
    s.lastTsMs = trade.tsMs;
    s.bucketVolume += trade.qty;
    if (side === 'buy') {
      s.bucketBuyVolume += trade.qty;
      s.bucketBuyTrades++;
    }
    s.extremes.push(trade.tsMs, trade.price);
    trackRush(s, trade, side);
    expireRecent(s, trade.tsMs);

    const e = s.episode;
    const settled = e !== null && e.confirmedMs !== null && trade.tsMs - e.confirmedMs >= windowMs;
    if (
      e &&
      e.confirmedMs !== null &&
      trade.price >= (settled ? Math.min(e.peakPrice, e.lowAfterPeak) : e.peakPrice) * (1 + t.pump_price_rise)
    ) {
      // A rise of pump size above the old peak, or (a pump window after the dump confirmed, so
      // rebounds within the dump stay part of it) from the dump's low, ends that story: it is
      // judged afresh below, as a possible new pump.
      s.episode = null;
    } else if (e) {
      e.lastMs = trade.tsMs;
      e.volume += trade.qty;
      e.notional += trade.qty * trade.price;
      e.trades++;
      if (e.tradeIds.length < MAX_IDS) e.tradeIds.push(trade.tradeId);
      e.lastPrices.push(trade.price);
      if (e.lastPrices.length > DUMP_MEDIAN_TRADES) e.lastPrices.shift();
      if (trade.price > e.peakPrice && e.confirmedMs === null) {
        e.peakPrice = trade.price;
        e.peakMs = trade.tsMs;
        e.lowAfterPeak = trade.price;
        e.sellers.clear();
      } else if (trade.price < e.lowAfterPeak) e.lowAfterPeak = trade.price;
      if (e.confirmedMs === null && trade.buyer && side === 'buy') e.buyers.set(trade.buyer, (e.buyers.get(trade.buyer) ?? 0) + trade.qty);
      if (trade.tsMs > e.peakMs && trade.seller) e.sellers.set(trade.seller, (e.sellers.get(trade.seller) ?? 0) + trade.qty);
      const rise = e.peakPrice - e.refPrice;
      // One low print amid a pump's sweeps is not a dump: judge the median of the last few trades.
      const settled = e.lastPrices.length >= 3 ? medianOf(e.lastPrices, e.lastPrices.length) : e.peakPrice;
      const giveBack = rise > 0 ? (e.peakPrice - settled) / rise : 0;
      if (e.confirmedMs === null && giveBack >= t.dump_reversal) {
        e.confirmedMs = trade.tsMs;
        emit(trade.symbol, e, ctx, trade.tsMs, 'dump');
      } else if (e.confirmedMs !== null && !e.roundTrip && giveBack >= 1) {
        e.roundTrip = true;
        emit(trade.symbol, e, ctx, trade.tsMs, 'round_trip');
      } else if (!e.alerted && e.rushSeconds >= t.pump_min_rush_seconds) {
        // Opened before the rush came: alert early now if buyers still drive the window.
        const w = windowVolumes(s);
        if (w.volume > 0 && w.buy / w.volume >= t.pump_min_buy_share) {
          e.buyShareAtDetection = w.buy / w.volume;
          emit(trade.symbol, e, ctx, trade.tsMs, 'pump');
        }
      } else if (e.alerted && e.confirmedMs === null && e.peakPrice / e.refPrice - 1 >= e.emittedRise * GROWTH_STEP) {
        emit(trade.symbol, e, ctx, trade.tsMs, 'pump');
      }
      return;
    }

    if (trade.buyer && side === 'buy') s.recentBuyers.add(trade.buyer, trade.qty);
    if (s.recentIds.size < MAX_IDS * 2) s.recentIds.push(trade.tsMs, trade.tradeId);
    if (Number.isNaN(s.refMedian) || !baselinePositive(s)) return;
    const low = s.extremes.min;
    const ref = Math.max(s.refMedian, low);
    if (trade.price <= ref) s.lastAtRefMs = trade.tsMs;
    if (trade.price < ref * (1 + t.pump_price_rise)) return;
    // The surge is measured over the rise itself (from the bucket of the last trade at or below the
    // reference, or of the window's low if later), against the baseline scaled to that span: a
    // 3-minute pump is not diluted by 7 quiet minutes. The current bucket counts as a whole one.
    const spanBuckets = bucketsSince(s, Math.max(s.lastAtRefMs, s.extremes.minAtMs));
    // Activity is volume OR the number of buyer-initiated trades: a pump's crowd of small buys
    // multiplies the buy trades far more than the quantity (and a liquid symbol's ordinary flow is
    // half sells), so a surge of either counts.
    const { volume, buy, trades } = spanVolumes(s, spanBuckets);
    const spanBaseline = (baselineOf(s) * spanBuckets) / windowBuckets;
    const spanBaselineBuyTrades = (buyTradesBaselineOf(s) * spanBuckets) / windowBuckets;
    const byVolume = volume >= t.pump_volume_multiplier * spanBaseline;
    const byTrades = spanBaselineBuyTrades > 0 && trades >= t.pump_volume_multiplier * spanBaselineBuyTrades;
    if (!byVolume && !byTrades) return;
    const buyShare = volume > 0 ? buy / volume : 0;
    const early = s.rushTimes.length >= t.pump_min_rush_seconds && buyShare >= t.pump_min_buy_share;
    openEpisode(trade.symbol, s, trade, ref, volume, spanBaseline, buyShare, early, ctx);
    s.recentBuyers.clear();
  }

  return {
    onTrade(trade: Trade, ctx: DetectorContext): void {
      schedule(trade.symbol, onTrade(trade, ctx));
    },
    onTime(ctx: DetectorContext): void {
      // Only the symbols due now (not a walk over all of them), handled in the order the walk over
      // the states map had (creation order), so alerts come out in the same order.
      const due: [string, SymbolState][] = [];
      for (const { time, item: symbol } of st.queue.takeDue((d) => d < ctx.now)) {
        const s = st.states.get(symbol);
        if (!s || s.due !== time) continue; // stale: re-queued since, or forgotten
        s.due = NaN; // taken: a duplicate entry with the same deadline matches nothing now
        due.push([symbol, s]);
      }
      if (due.length > 1) due.sort((a, b) => a[1].seq - b[1].seq);
      for (const [symbol, s] of due) {
        closeIfDone(symbol, s, ctx.now, ctx);
        // Forget symbols idle beyond the baseline horizon: their history would be all zeros anyway.
        if (!s.episode && ctx.now - s.lastTsMs > t.pump_baseline_ms) st.states.delete(symbol);
        else {
          s.due = dueOf(s);
          st.queue.push(s.due, symbol);
        }
      }
    },
    snapshot: () => st,
    restore(state: unknown): void {
      st = state as typeof st;
    },
  };
}

function top(m: Map<string, number>): string[] {
  return [...m.entries()]
    .filter(([a]) => a !== '')
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, TOP_ACCOUNTS)
    .map(([a]) => a);
}

function fmt(x: number): string {
  return x.toPrecision(6).replace(/\.?0+(e|$)/, '$1');
}
function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(1)}×` : 'many times';
}

export const pumpAndDump: DetectorFactory = {
  pattern: 'pump_and_dump',
  version: 2,
  create: createPumpAndDump,
};
