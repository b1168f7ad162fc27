import type { Config } from '../../config/config.js';
import type { Finding } from '../../domain/alert.js';
import type { Side, Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { WindowMins } from './window-min.js';
import { RunRings } from './run-ring.js';
import { medianOf } from '../window/select.js';
import { DeadlineQueue } from '../window/deadline-queue.js';
import { BucketLogs, BUY_TRADES, BUY_VOLUME, VOLUME } from './bucket-log.js';
import { TightIds } from './tight-ids.js';
import { RecentBuyers } from './recent-buyers.js';
import { RecentTimes } from './recent-times.js';
import { type Episode, PumpSymbols } from './pump-symbols.js';
import { Slab } from './slab.js';
import { StringIds } from '../../engine/string-ids.js';
import { iso, pct, round4 } from '../format.js';

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

/**
 * All mutable state (the checkpoint): each symbol held has a slot (`states`), its row in the
 * columns of `sym` and in the tables of its rings and logs, whose blocks are in three shared
 * slabs (the bucket logs', the other numbers', numbers with strings: a slab grows by a copy, which
 * is held with the old one until that is collected, so no slab is most of the state). With 100k symbols trading a few times a day, an object and a
 * few arrays per symbol and ring were most of the detector's memory. `queue`: the symbols by the
 * time onTime must look at them.
 */
function emptyState(historyBuckets: number, closeBuckets: number, windowMs: number) {
  const logs = new Slab();
  const nums = new Slab();
  const withStrings = new Slab(true);
  return {
    /** Symbol → slot: ids in an open-addressing table (≈ 24 B a symbol where a Map cost ≈ 70 B), reused once dropped. */
    states: new StringIds(),
    sym: new PumpSymbols(),
    /**
     * Closed buckets over the baseline horizon (a day of one-minute buckets): volume,
     * buyer-initiated volume and trades, the non-empty ones only (the pump window's buckets are
     * its newest).
     */
    buckets: new BucketLogs(logs, historyBuckets),
    /** Bucket closes (carried forward) over the reference span, as runs of equal closes, and their median. */
    closes: new RunRings(nums, closeBuckets),
    /** The window's low (only the minimum is read). */
    lows: new WindowMins(nums, windowMs),
    /** Recent trade ids of the window, as evidence when an episode opens. */
    recentIds: new TightIds(withStrings),
    /** Buy quantity by buyer over the last one to two pump windows (rotated every window). */
    recentBuyers: new RecentBuyers(withStrings),
    /**
     * Rush detection: the distinct buy orders (millisecond, buyer) of the current second (S.secondMs)
     * until it became a rush (at most pump_rush_buys: a scan beats building a key string per
     * trade), and the recent rush seconds.
     */
    secondOrders: new TightIds(withStrings),
    rushTimes: new RecentTimes(nums),
    queue: new DeadlineQueue<string>(),
    nextSeq: 0,
    logs,
    nums,
    withStrings,
  };
}
type State = ReturnType<typeof emptyState>;

/**
 * The detector as a class (its state in `st`): one set of methods for every engine. As closures
 * made per engine, optimised code that had inlined one engine's helpers (`bucketsSince`,
 * `openEpisode`) threw itself away at the first call of another's ("wrong call target"): in the
 * live engine, after the warm-up's.
 */
class PumpAndDump implements Detector {
  private readonly t: Config['thresholds'];
  private readonly bucketMs: number;
  private readonly windowMs: number;
  private readonly windowBuckets: number;
  private readonly historyBuckets: number;
  private readonly closeBuckets: number;
  private readonly minBuckets: number;
  private st: State;
  /** The symbols' columns (st.sym). */
  private S: PumpSymbols;

  constructor(config: Config) {
    const t = config.thresholds;
    this.t = t;
    const bucketMs = t.pump_bucket_ms;
    this.bucketMs = bucketMs;
    const windowMs = t.pump_window_ms;
    this.windowMs = windowMs;
    const windowBuckets = Math.max(1, Math.round(windowMs / bucketMs));
    this.windowBuckets = windowBuckets;
    const historyBuckets = Math.max(windowBuckets, Math.round(t.pump_baseline_ms / bucketMs));
    this.historyBuckets = historyBuckets;
    const closeBuckets = Math.max(1, Math.round(t.pump_reference_ms / bucketMs));
    this.closeBuckets = closeBuckets;
    this.minBuckets = windowBuckets * t.pump_min_baseline_windows;
    this.st = emptyState(historyBuckets, closeBuckets, windowMs);
    this.S = this.st.sym;
  }

  /** The tables with a row per symbol slot: a new symbol's slot is added to each, a dropped one dropped from each. */
  private slotTables(): readonly { add(slot: number): void; drop(slot: number): void }[] {
    const { st } = this;
    return [st.buckets, st.closes, st.lows, st.recentIds, st.recentBuyers, st.secondOrders, st.rushTimes];
  }

  /**
   * Moves a slab's live blocks together once free ones pile up (symbols moved to larger blocks,
   * shrank or emptied theirs): the owners listed are all the tables with blocks in that slab.
   */
  private compactSlabs(): void {
    const { st } = this;
    if (st.logs.wasteful) st.logs.compact(st.buckets.blocks());
    if (st.nums.wasteful) st.nums.compact([...st.closes.blocks(), ...st.lows.blocks(), ...st.rushTimes.blocks()]);
    if (st.withStrings.wasteful)
      st.withStrings.compact([...st.recentIds.blocks(), ...st.recentBuyers.blocks(), ...st.secondOrders.blocks()]);
  }

  private newState(trade: Trade): number {
    const { st, S, bucketMs } = this;
    const s = st.states.acquire(trade.symbol);
    S.add(s, st.nextSeq++, trade.tsMs, trade.price, trade.tsMs - (trade.tsMs % bucketMs));
    for (const table of this.slotTables()) table.add(s);
    return s;
  }

  /** Forgets a symbol: its slot and blocks are reused by symbols to come. */
  private dropState(s: number): void {
    const { st, S } = this;
    S.drop(s);
    for (const table of this.slotTables()) table.drop(s);
    st.states.release(s);
  }

  /** Closes buckets up to the one holding `tsMs`: feeds volume history, window rings and closes. Returns how many (0: still the current one). */
  private roll(s: number, tsMs: number): number {
    const { st, S, bucketMs, windowBuckets, historyBuckets, closeBuckets, minBuckets } = this;
    // Still in the current bucket (starts are multiples of its length): no floating-point `%` per trade.
    if (tsMs < S.bucketStartMs[s]! + bucketMs) return 0;
    const target = tsMs - (tsMs % bucketMs);
    const closed = Math.min(Math.round((target - S.bucketStartMs[s]!) / bucketMs), historyBuckets);
    // The bucket that ends, then the empty ones of a quiet spell (only counted: see BucketLogs).
    st.buckets.close(s, S.bucketVolume[s]!, S.bucketBuyVolume[s]!, S.bucketBuyTrades[s]!, closed);
    // Each closed bucket's close is the last price (carried forward).
    st.closes.pushRepeated(s, S.lastPrice[s]!, Math.min(closed, closeBuckets));
    // Back after a quiet spell: the closes of a burst have left (one run now covers the spell).
    if (closed > 1) st.closes.shrink(s);
    S.bucketsSinceBaseline[s] = S.bucketsSinceBaseline[s]! + closed;
    S.bucketsSinceBuyersRotated[s] = S.bucketsSinceBuyersRotated[s]! + closed;
    if (S.bucketsSinceBuyersRotated[s] >= windowBuckets) {
      // Keep buyer tallies to the recent past, so memory stays bounded and evidence stays relevant.
      st.recentBuyers.rotate(s, S.bucketsSinceBuyersRotated[s] >= 2 * windowBuckets);
      S.bucketsSinceBuyersRotated[s] = 0;
    }
    S.bucketStartMs[s] = target;
    S.bucketVolume[s] = 0;
    S.bucketBuyVolume[s] = 0;
    S.bucketBuyTrades[s] = 0;
    S.refMedian[s] = st.closes.median(s);
    // Refresh every bucket while the history is short (it changes fast), then once a window.
    const filled = st.buckets.filled(s);
    const refresh = S.bucketsSinceBaseline[s] >= windowBuckets || filled < 4 * windowBuckets || this.baselineIsNaN(s);
    if (filled >= minBuckets && refresh) {
      // A pump window's typical volume (or trade count): windowBuckets × the median bucket over the
      // history. Single buckets, not window sums: a burst of k buckets (news, a block, another
      // episode) touches k buckets but k + windowBuckets − 1 sliding sums, so the per-bucket median
      // stays at the symbol's ordinary level when bursts are frequent. Thin pairs whose median
      // bucket is empty fall back to the median of sliding window sums, then to their mean.
      // Taken now (the ring as of now, pinned), computed when read.
      const at = st.buckets.closed(s);
      st.buckets.pin(s, at);
      S.baselineAt[s] = at;
      S.baselineValid[s] = -1;
      S.baselineReady[s] = 0;
      S.buyTradesReady[s] = 0;
      S.bucketsSinceBaseline[s] = 0;
    }
    return closed;
  }

  /** The volume baseline as of its refresh (computed at the first read). */
  private baselineOf(s: number): number {
    const { st, S, windowBuckets } = this;
    if (!S.baselineReady[s]!) {
      S.baseline[s] = st.buckets.windowBaseline(s, VOLUME, windowBuckets, S.baselineAt[s]);
      S.baselineReady[s] = 1;
    }
    return S.baseline[s]!;
  }

  /** The buyer-initiated trade count baseline as of its refresh (computed at the first read). */
  private buyTradesBaselineOf(s: number): number {
    const { st, S, windowBuckets } = this;
    if (!S.buyTradesReady[s]!) {
      S.baselineBuyTrades[s] = st.buckets.windowBaseline(s, BUY_TRADES, windowBuckets, S.baselineAt[s]);
      S.buyTradesReady[s] = 1;
    }
    return S.baselineBuyTrades[s]!;
  }

  /** Whether the volume baseline is > 0 (NaN is not), without computing it when the log can tell. */
  private baselinePositive(s: number): boolean {
    const { st, S, windowBuckets } = this;
    if (S.baselineReady[s]!) return S.baseline[s]! > 0;
    if (S.baselineValid[s]! < 0) S.baselineValid[s] = st.buckets.baselinePositive(s, VOLUME, windowBuckets, S.baselineAt[s]!) ? 1 : 0;
    return S.baselineValid[s]! === 1;
  }

  /**
   * Whether the volume baseline is NaN. A refresh takes it over at least a pump window of buckets
   * (minBuckets), where it is a number for positive quantities: computed only for other values.
   */
  private baselineIsNaN(s: number): boolean {
    const { st, S, windowBuckets, historyBuckets } = this;
    if (S.baselineReady[s]!) return Number.isNaN(S.baseline[s]!);
    if (st.buckets.regular(s) && Math.min(S.baselineAt[s]!, historyBuckets) >= windowBuckets) return false;
    return Number.isNaN(this.baselineOf(s));
  }

  /** Tracks "rush" seconds: ≥ pump_rush_buys distinct aggressive buy orders within one second. */
  private trackRush(s: number, trade: Trade, side: Side): void {
    const { st, S, t } = this;
    // A new second unless within the current one (saves the floating-point `%` on most trades).
    const second = trade.tsMs >= S.secondMs[s]! && trade.tsMs < S.secondMs[s]! + 1000 ? S.secondMs[s]! : trade.tsMs - (trade.tsMs % 1000);
    if (second !== S.secondMs[s]!) {
      S.secondMs[s] = second;
      st.secondOrders.clear(s);
      S.secondIsRush[s] = 0;
    }
    if (side !== 'buy' || S.secondIsRush[s]!) return;
    // Fills of one sweeping order share its millisecond (and buyer, when known): one order.
    if (!st.secondOrders.has(s, trade.tsMs, trade.buyer)) st.secondOrders.push(s, trade.tsMs, trade.buyer);
    if (st.secondOrders.size(s) >= t.pump_rush_buys) {
      S.secondIsRush[s] = 1;
      st.rushTimes.push(s, second);
      const e = S.episode[s];
      if (e) e.rushSeconds++;
    }
  }

  private windowVolumes(s: number): { volume: number; buy: number } {
    return this.spanVolumes(s, this.windowBuckets);
  }

  /** Volume, buyer-initiated volume and buyer-initiated trades of the current bucket and the newest `buckets` − 1 closed ones. */
  private spanVolumes(s: number, buckets: number): { volume: number; buy: number; trades: number } {
    const { st, S, windowBuckets } = this;
    // The current bucket, then the closed ones newest first (the additions a window ring gave).
    const closed = Math.min(buckets, windowBuckets) - 1;
    const volume = st.buckets.addNewest(s, S.bucketVolume[s]!, VOLUME, closed);
    const buy = st.buckets.addNewest(s, S.bucketBuyVolume[s]!, BUY_VOLUME, closed);
    const trades = st.buckets.addNewest(s, S.bucketBuyTrades[s]!, BUY_TRADES, closed);
    return { volume, buy, trades };
  }

  /** Buckets from the one holding `fromMs` to the current one (1 … windowBuckets). */
  private bucketsSince(s: number, fromMs: number): number {
    const { S, bucketMs, windowBuckets } = this;
    if (!Number.isFinite(fromMs)) return windowBuckets;
    const first = fromMs - (fromMs % bucketMs);
    return Math.min(windowBuckets, Math.max(1, Math.round((S.bucketStartMs[s]! - first) / bucketMs) + 1));
  }

  private expireRecent(s: number, nowMs: number): void {
    const { st, windowMs } = this;
    const cutoff = nowMs - windowMs;
    st.rushTimes.expire(s, cutoff);
    st.recentIds.expire(s, cutoff, MAX_IDS);
  }

  private emit(symbol: string, e: Episode, ctx: DetectorContext, nowMs: number, note: 'pump' | 'dump' | 'round_trip' | 'no_dump'): void {
    const { t, windowMs } = this;
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

  private openEpisode(
    symbol: string,
    s: number,
    trade: Trade,
    ref: number,
    volume: number,
    baselineVolume: number,
    buyShare: number,
    early: boolean,
    ctx: DetectorContext,
  ): void {
    const { st, S } = this;
    // The rise starts at the window's low when that is the reference, else at the window's start.
    const startMs = Number.isFinite(st.lows.minAtMs(s)) ? st.lows.minAtMs(s) : trade.tsMs;
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
      rushSeconds: st.rushTimes.size(s),
      windowVolumeAtDetection: volume,
      buyShareAtDetection: buyShare,
      tradeIds: st.recentIds.all(s),
      buyers: st.recentBuyers.tallies(s),
      sellers: new Map(),
      alerted: false,
      emittedRise: 0,
      confirmedMs: null,
      roundTrip: false,
    };
    S.episode[s] = e;
    if (early) this.emit(symbol, e, ctx, trade.tsMs, 'pump');
  }

  /** Ends an episode whose dump window has passed; an early alert never confirmed is marked so. */
  private closeIfDone(symbol: string, s: number, nowMs: number, ctx: DetectorContext): void {
    const { S, t } = this;
    const e = S.episode[s];
    if (!e || nowMs - e.peakMs <= t.dump_window_ms) return;
    if (e.alerted && e.confirmedMs === null) this.emit(symbol, e, ctx, nowMs, 'no_dump');
    S.episode[s] = null;
  }

  /** The earliest time onTime may have to act on the symbol: close its episode, or forget it. */
  private dueOf(s: number): number {
    const { S, t } = this;
    const idle = S.lastTsMs[s]! + t.pump_baseline_ms;
    const e = S.episode[s];
    return e ? Math.min(idle, e.peakMs + t.dump_window_ms) : idle;
  }

  /** Queues the symbol earlier when a trade brought its due time forward (a new episode, a late trade). */
  private schedule(symbol: string, s: number): void {
    const { st, S } = this;
    const due = this.dueOf(s);
    if (due < S.due[s]!) {
      S.due[s] = due;
      st.queue.push(due, symbol);
    }
  }

  /** Handles the trade on its symbol's slot (made for a new symbol); returns the slot. */
  private route(trade: Trade, ctx: DetectorContext): number {
    const { st } = this;
    let s = st.states.find(trade.symbol);
    if (s < 0) s = this.newState(trade);
    this.onSymbolTrade(s, trade, ctx);
    return s;
  }

  private onSymbolTrade(s: number, trade: Trade, ctx: DetectorContext): void {
    const { st, S, t, windowMs, windowBuckets } = this;
    const closed = this.roll(s, trade.tsMs);
    this.closeIfDone(trade.symbol, s, trade.tsMs, ctx);
    // Aggressor side from the tape; else the tick rule (up-tick = buy, same price = as before).
    const last = S.lastPrice[s]!;
    const side: Side = trade.side ?? (trade.price > last ? 'buy' : trade.price < last ? 'sell' : S.lastSell[s]! ? 'sell' : 'buy');
    S.lastSell[s] = side === 'sell' ? 1 : 0;
    S.lastPrice[s] = trade.price;
    S.lastTsMs[s] = trade.tsMs;
    S.bucketVolume[s] = S.bucketVolume[s]! + trade.qty;
    if (side === 'buy') {
      S.bucketBuyVolume[s] = S.bucketBuyVolume[s]! + trade.qty;
      S.bucketBuyTrades[s] = S.bucketBuyTrades[s]! + 1;
    }
    st.lows.push(s, trade.tsMs, trade.price);
    // Back after a quiet spell: the push expired what the window no longer holds.
    if (closed > 1) st.lows.trim(s, 2);
    this.trackRush(s, trade, side);
    this.expireRecent(s, trade.tsMs);

    const e = S.episode[s] ?? null;
    const settled = e !== null && e.confirmedMs !== null && trade.tsMs - e.confirmedMs >= windowMs;
    if (
      e &&
      e.confirmedMs !== null &&
      trade.price >= (settled ? Math.min(e.peakPrice, e.lowAfterPeak) : e.peakPrice) * (1 + t.pump_price_rise)
    ) {
      // A rise of pump size above the old peak, or (a pump window after the dump confirmed, so
      // rebounds within the dump stay part of it) from the dump's low, ends that story: it is
      // judged afresh below, as a possible new pump.
      S.episode[s] = null;
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
        this.emit(trade.symbol, e, ctx, trade.tsMs, 'dump');
      } else if (e.confirmedMs !== null && !e.roundTrip && giveBack >= 1) {
        e.roundTrip = true;
        this.emit(trade.symbol, e, ctx, trade.tsMs, 'round_trip');
      } else if (!e.alerted && e.rushSeconds >= t.pump_min_rush_seconds) {
        // Opened before the rush came: alert early now if buyers still drive the window.
        const w = this.windowVolumes(s);
        if (w.volume > 0 && w.buy / w.volume >= t.pump_min_buy_share) {
          e.buyShareAtDetection = w.buy / w.volume;
          this.emit(trade.symbol, e, ctx, trade.tsMs, 'pump');
        }
      } else if (e.alerted && e.confirmedMs === null && e.peakPrice / e.refPrice - 1 >= e.emittedRise * GROWTH_STEP) {
        this.emit(trade.symbol, e, ctx, trade.tsMs, 'pump');
      }
      return;
    }

    if (trade.buyer && side === 'buy') st.recentBuyers.buy(s, trade.buyer, trade.qty);
    if (st.recentIds.size(s) < MAX_IDS * 2) st.recentIds.push(s, trade.tsMs, trade.tradeId);
    if (Number.isNaN(S.refMedian[s]!) || !this.baselinePositive(s)) return;
    const low = st.lows.min(s);
    const ref = Math.max(S.refMedian[s]!, low);
    if (trade.price <= ref) S.lastAtRefMs[s] = trade.tsMs;
    if (trade.price < ref * (1 + t.pump_price_rise)) return;
    // The surge is measured over the rise itself (from the bucket of the last trade at or below the
    // reference, or of the window's low if later), against the baseline scaled to that span: a
    // 3-minute pump is not diluted by 7 quiet minutes. The current bucket counts as a whole one.
    const spanBuckets = this.bucketsSince(s, Math.max(S.lastAtRefMs[s]!, st.lows.minAtMs(s)));
    // Activity is volume OR the number of buyer-initiated trades: a pump's crowd of small buys
    // multiplies the buy trades far more than the quantity (and a liquid symbol's ordinary flow is
    // half sells), so a surge of either counts.
    const { volume, buy, trades } = this.spanVolumes(s, spanBuckets);
    const spanBaseline = (this.baselineOf(s) * spanBuckets) / windowBuckets;
    const spanBaselineBuyTrades = (this.buyTradesBaselineOf(s) * spanBuckets) / windowBuckets;
    const byVolume = volume >= t.pump_volume_multiplier * spanBaseline;
    const byTrades = spanBaselineBuyTrades > 0 && trades >= t.pump_volume_multiplier * spanBaselineBuyTrades;
    if (!byVolume && !byTrades) return;
    const buyShare = volume > 0 ? buy / volume : 0;
    const early = st.rushTimes.size(s) >= t.pump_min_rush_seconds && buyShare >= t.pump_min_buy_share;
    this.openEpisode(trade.symbol, s, trade, ref, volume, spanBaseline, buyShare, early, ctx);
    st.recentBuyers.clear(s);
  }

  onTrade(trade: Trade, ctx: DetectorContext): void {
    this.schedule(trade.symbol, this.route(trade, ctx));
  }

  onTime(ctx: DetectorContext): void {
    const { st, S, t } = this;
    this.compactSlabs();
    // Only the symbols due now (not a walk over all of them), handled in the order the walk over
    // the states map had (creation order), so alerts come out in the same order.
    const due: [string, number][] = [];
    for (const { time, item: symbol } of st.queue.takeDue((d) => d < ctx.now)) {
      const s = st.states.find(symbol);
      if (s < 0 || S.due[s]! !== time) continue; // stale: re-queued since, or forgotten
      S.due[s] = NaN; // taken: a duplicate entry with the same deadline matches nothing now
      due.push([symbol, s]);
    }
    if (due.length > 1) due.sort((a, b) => S.seq[a[1]]! - S.seq[b[1]]!);
    for (const [symbol, s] of due) {
      this.closeIfDone(symbol, s, ctx.now, ctx);
      // Forget symbols idle beyond the baseline horizon: their history would be all zeros anyway.
      if (!S.episode[s] && ctx.now - S.lastTsMs[s]! > t.pump_baseline_ms) this.dropState(s);
      else {
        S.due[s] = this.dueOf(s);
        st.queue.push(S.due[s], symbol);
      }
    }
  }

  snapshot(): unknown {
    return this.st;
  }

  restore(state: unknown): void {
    this.st = state as State;
    this.S = this.st.sym;
  }
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
  create: (config: Config): Detector => new PumpAndDump(config),
};
