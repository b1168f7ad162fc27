import type { Config } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { SPARSE_TRIMS } from '../window/sparse.js';
import { TimeMaxPair } from '../window/time-max-pair.js';
import { ValueRingPair } from '../window/value-ring-pair.js';
import { TradeQueue } from './trade-queue.js';
import { stateClass } from '../../engine/snapshot.js';
import { normalTail, normalTailInverse } from '../window/normal.js';
import { DeadlineQueue, forgetIdle } from '../window/deadline-queue.js';
import { fmt, iso, round2 } from '../format.js';

/**
 * volume_spike (docs/detectors/volume_spike.md): the traded quantity of a symbol over a ROLLING
 * window reaches `volume_spike_multiplier` × the median of the symbol's own past active calendar
 * windows of the same length AND is an outlier of their log-volume distribution by a robust z-score
 * (median/MAD). Two window lengths are judged, each against its own baseline: `volume_bucket_ms`
 * (default 5 min: sustained surges) and `volume_short_window_ms` (default 1 min: bursts that a long
 * bucket would dilute — a 1-min burst at 8× is only 2.4× of a 5-min bucket). Each length has its
 * own distribution, so a short window's larger noise raises its own bar instead of raising alerts.
 * The ratio is the rule users set; the z-score keeps heavy-tailed, bursty symbols (thin crypto
 * pairs) from alerting on their ordinary swings. Empty windows are left out of the baseline: a
 * market that was closed or a pair that did not trade says nothing about its typical active volume.
 * Judged on every trade, so an alert comes as soon as the window crosses; triggers closer together
 * than `volume_episode_gap_buckets` long buckets are one episode and one alert.
 */

/**
 * One window length's numbers, kept in the symbol's number array `f` at k × SCALE_FIELDS for scale k
 * (window lengths ascending): an array of unboxed doubles instead of an object per scale whose
 * double fields are each a heap number of their own (~0.5 KB per symbol with two lengths).
 */
const CAL_START = 0;
const CAL_VOLUME = 1;
/** Volume that trips the alert; Infinity while the baseline warms up. */
const TRIGGER = 2;
const BASELINE = 3;
const LOG_MEDIAN = 4;
const LOG_SIGMA = 5;
/** 1 while LOG_MEDIAN, LOG_SIGMA and TRIGGER are out of date (computed when first needed, see triggerOf). */
const STALE = 6;
/** Number of the oldest queued trade inside the rolling window, and the window's volume. */
const HEAD = 7;
const SUM = 8;
const SCALE_FIELDS = 9;

/**
 * A symbol's state. A class, not an object literal, only so that `lastTsMs` and `due` (epoch ms:
 * each a heap number of its own as a field) can live in `f`, as its last two numbers.
 */
class VolumeSymbol {
  /** Times its state was trimmed (`SPARSE_TRIMS` caps it: each trim copies the rings). */
  trims = 0;
  episode: Episode | null = null;

  constructor(
    /** The scales' numbers (see SCALE_FIELDS), then lastTsMs and due. */
    readonly f: number[],
    /** Volumes of past active calendar windows, ring k for length k; their logs' statistics are taken from them when needed. */
    readonly history: ValueRingPair,
    /** Largest single trade in each rolling window (`max(k)` for length k). */
    readonly largest: TimeMaxPair,
    /** Trades of the longest window (numbered: the scales' heads are trade numbers). */
    readonly trades: TradeQueue,
  ) {}

  get lastTsMs(): number {
    return this.f[this.f.length - 2]!;
  }
  set lastTsMs(v: number) {
    this.f[this.f.length - 2] = v;
  }
  /** When the symbol is next checked for idleness (its entry in the deadline queue). */
  get due(): number {
    return this.f[this.f.length - 1]!;
  }
  set due(v: number) {
    this.f[this.f.length - 1] = v;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(VolumeSymbol);

type SymbolState = VolumeSymbol;

/** A scale that crossed its bars, as the alert reads it. */
interface Hit {
  readonly windowMs: number;
  readonly z: number;
  readonly sum: number;
  readonly baseline: number;
  readonly logMedian: number;
  readonly logSigma: number;
  readonly head: number;
  /** Active windows in the baseline. */
  readonly baselineWindows: number;
}

interface Episode {
  readonly startMs: number;
  lastSpikeMs: number;
  lastEmitMs: number;
  readonly tradeIds: string[];
  readonly accounts: Set<string>;
  peakRatio: number;
  emittedRatio: number;
  /** Long buckets (calendar) in which the volume was over a trigger. */
  buckets: number;
  lastBucketMs: number;
}

const MAX_IDS = 500;

function createVolumeSpike(config: Config): Detector {
  const t = config.thresholds;
  const bucketMs = t.volume_bucket_ms;
  const lengths = [...new Set([bucketMs, t.volume_short_window_ms])].sort((a, b) => a - b);
  const longestMs = lengths[lengths.length - 1]!;
  const gapMs = Math.max(1, t.volume_episode_gap_buckets) * bucketMs;
  /** All mutable state (the checkpoint): per-symbol windows, baselines and open episodes; symbols by idle deadline. */
  let st = { states: new Map<string, SymbolState>(), queue: new DeadlineQueue<string>() };
  /** Symbols idle this long are forgotten: memory stays bounded by the active symbols. */
  const horizon = Math.max(longestMs * t.volume_baseline_buckets, 24 * 3600_000);
  /**
   * volume_robust_z holds for the long window; a shorter one is judged (bucketMs / w) times as often,
   * so its bar is raised until its expected false alarms per day equal the long window's.
   */
  function zFor(w: number): number {
    return w >= bucketMs ? t.volume_robust_z : normalTailInverse((normalTail(t.volume_robust_z) * w) / bucketMs);
  }

  /** Robust-z bar of each length: shorter windows are more tests per day, so a higher bar. */
  const zs = lengths.map(zFor);
  const scales = lengths.length;
  const two = scales === 2;

  function newState(tsMs: number): SymbolState {
    const f: number[] = [];
    for (const w of lengths) f.push(tsMs - (tsMs % w), 0, Infinity, NaN, NaN, NaN, 0, 0, 0);
    f.push(tsMs, Infinity);
    return new VolumeSymbol(
      // A copy: exactly its length, and doubles from the first element (no elements-kind change later).
      f.slice(),
      new ValueRingPair(t.volume_baseline_buckets, two),
      new TimeMaxPair(lengths[0]!, lengths[scales - 1]!),
      new TradeQueue(),
    );
  }

  /** Closes scale k's calendar window (`tsMs` is past it) and marks its trigger out of date. */
  function roll(s: SymbolState, k: number, tsMs: number): void {
    const f = s.f;
    const b = k * SCALE_FIELDS;
    const w = lengths[k]!;
    const target = tsMs - (tsMs % w);
    if (f[b + CAL_VOLUME]! > 0) {
      s.history.push(k, f[b + CAL_VOLUME]!);
      if (s.history.size(k) >= t.volume_min_baseline_buckets) {
        f[b + BASELINE] = s.history.median(k);
        f[b + STALE] = 1;
      }
    }
    f[b + CAL_START] = target;
    f[b + CAL_VOLUME] = 0;
  }

  /**
   * Scale k's trigger as of its latest closed window, computed when first needed: only a window
   * past the multiplier bar (`volume_spike_multiplier` × baseline, the trigger's lower bound) asks
   * for it, so most windows close without the MAD being taken. The histories change only when a
   * window closes, so the value is the one computing it at the close gave.
   */
  function triggerOf(s: SymbolState, k: number): number {
    const f = s.f;
    const b = k * SCALE_FIELDS;
    if (f[b + STALE] === 1) {
      // MAD, not a tail quantile: a sustained busy regime (a third of the history at 4×) must not
      // widen the spread until a 20× burst looks ordinary. A floor keeps a symbol trading like
      // clockwork from alerting on a 30% busier window.
      const logMedian = (f[b + LOG_MEDIAN] = s.history.logMedian(k));
      const logSigma = (f[b + LOG_SIGMA] = Math.max(s.history.logMadSigma(k), 0.25));
      f[b + TRIGGER] = Math.max(t.volume_spike_multiplier * f[b + BASELINE]!, Math.exp(logMedian + zs[k]! * logSigma));
      f[b + STALE] = 0;
    }
    return f[b + TRIGGER]!;
  }

  /** Drops the room pushes reserved in a symbol's trade queue and rings (memory only: no value changes). */
  function trim(s: SymbolState): void {
    s.trims++;
    s.history.trim();
    s.largest.trim();
    s.trades.trim();
  }

  return {
    onTrade(trade: Trade, ctx: DetectorContext): void {
      let s = st.states.get(trade.symbol);
      // New, or back after a quiet spell and not yet trimmed SPARSE_TRIMS times: trim (window/sparse.ts).
      const sparse = !s || (s.trims < SPARSE_TRIMS && trade.tsMs >= s.lastTsMs + lengths[0]!);
      if (!s) {
        s = newState(trade.tsMs);
        st.states.set(trade.symbol, s);
      }
      s.lastTsMs = trade.tsMs;
      // Queued again only when the idle deadline comes earlier (a new symbol, a late trade).
      if (trade.tsMs + horizon < s.due) {
        s.due = trade.tsMs + horizon;
        st.queue.push(s.due, trade.symbol);
      }
      const q = s.trades;
      q.push(trade.tsMs, trade.qty, trade.tradeId, trade.buyer ?? '', trade.seller ?? '');
      s.largest.push(trade.tsMs, trade.qty);
      const f = s.f;
      let hitK = -1;
      let hitExcess = 0;
      for (let k = 0; k < scales; k++) {
        const b = k * SCALE_FIELDS;
        const w = lengths[k]!;
        // Still in the current window (starts are multiples of its length): no floating-point `%` per trade.
        if (trade.tsMs >= f[b + CAL_START]! + w) roll(s, k, trade.tsMs);
        f[b + CAL_VOLUME] = f[b + CAL_VOLUME]! + trade.qty;
        let sum = f[b + SUM]! + trade.qty;
        // The rolling window is [now − length, now] (as TimeExtremes keeps it).
        const cutoff = trade.tsMs - w;
        let head = f[b + HEAD]!;
        while (head < q.next && q.tsMs(head) < cutoff) sum -= q.qty(head++);
        if (head === q.next - 1) sum = trade.qty; // re-anchor: no float drift across quiet spells
        f[b + HEAD] = head;
        f[b + SUM] = sum;
        // Leave-one-out: one block print is a large trade, not a surge of activity; the window must
        // cross the bar without its largest trade (robust on heavy-tailed thin pairs).
        const activity = sum - s.largest.max(k);
        if (activity >= t.volume_spike_multiplier * f[b + BASELINE]! && activity >= triggerOf(s, k)) {
          const excess = sum / f[b + TRIGGER]!;
          if (excess > hitExcess) {
            hitK = k;
            hitExcess = excess;
          }
        }
      }
      // Trades older than the longest window are not needed any more.
      q.dropBefore(f[(scales - 1) * SCALE_FIELDS + HEAD]!);
      if (sparse) trim(s);
      let ep = s.episode;
      if (ep && trade.tsMs - ep.lastSpikeMs > gapMs) ep = s.episode = null;
      if (hitK < 0) return;
      const hb = hitK * SCALE_FIELDS;
      const hit: Hit = {
        windowMs: lengths[hitK]!,
        z: zs[hitK]!,
        sum: f[hb + SUM]!,
        baseline: f[hb + BASELINE]!,
        logMedian: f[hb + LOG_MEDIAN]!,
        logSigma: f[hb + LOG_SIGMA]!,
        head: f[hb + HEAD]!,
        baselineWindows: s.history.size(hitK),
      };

      const longBucket = trade.tsMs - (trade.tsMs % bucketMs);
      const ratio = hit.sum / hit.baseline;
      if (!ep) {
        ep = {
          startMs: q.tsMs(hit.head),
          lastSpikeMs: trade.tsMs,
          lastEmitMs: -Infinity,
          tradeIds: [],
          accounts: new Set(),
          peakRatio: 0,
          emittedRatio: 0,
          buckets: 0,
          lastBucketMs: -Infinity,
        };
        for (let i = hit.head; i < q.next && i < hit.head + MAX_IDS; i++) ep.tradeIds.push(q.id(i));
        for (let i = hit.head; i < q.next && ep.accounts.size < MAX_IDS; i++) {
          if (q.buyer(i)) ep.accounts.add(q.buyer(i));
          if (q.seller(i)) ep.accounts.add(q.seller(i));
        }
        s.episode = ep;
      } else {
        if (ep.tradeIds.length < MAX_IDS) ep.tradeIds.push(trade.tradeId);
        if (trade.buyer && ep.accounts.size < MAX_IDS) ep.accounts.add(trade.buyer);
        if (trade.seller && ep.accounts.size < MAX_IDS) ep.accounts.add(trade.seller);
      }
      ep.lastSpikeMs = trade.tsMs;
      if (longBucket !== ep.lastBucketMs) {
        ep.buckets++;
        ep.lastBucketMs = longBucket;
      }
      ep.peakRatio = Math.max(ep.peakRatio, ratio);
      // Re-emit only when the surge grows by 25% or has lasted another long bucket: few updates.
      if (ep.emittedRatio > 0 && ratio < ep.emittedRatio * 1.25 && trade.tsMs - ep.lastEmitMs < bucketMs) return;
      ep.emittedRatio = Math.max(ep.emittedRatio, ratio);
      ep.lastEmitMs = trade.tsMs;
      const z = (Math.log(hit.sum) - hit.logMedian) / hit.logSigma;
      const mult = t.volume_spike_multiplier;
      const zExcess = Math.max(0, z - hit.z);
      const minutes = (ms: number): string => `${+(ms / 60_000).toFixed(2)}-min`;
      ctx.emit({
        pattern: 'volume_spike',
        episodeKey: `${trade.symbol}|${ep.startMs}`,
        description:
          `${trade.symbol}: ${fmt(hit.sum)} traded in the ${minutes(hit.windowMs)} window to ${iso(trade.tsMs)} ` +
          `(${q.next - hit.head} trades), ${ratio.toFixed(1)}× the median active ${minutes(hit.windowMs)} window of the last ${hit.baselineWindows} (${fmt(hit.baseline)}); ` +
          `threshold ${mult}× and robust z ${z.toFixed(1)} ≥ ${hit.z.toFixed(2)}.` +
          (ep.buckets > 1 ? ` Spike has lasted into ${ep.buckets} ${minutes(bucketMs)} buckets, peak ${ep.peakRatio.toFixed(1)}×.` : ''),
        // Confidence: how far past both bars the window is. Risk: size of the surge, and its duration.
        confidence: Math.min(1, 0.55 + 0.15 * Math.log2(ratio / mult) + 0.1 * zExcess),
        riskScore: Math.min(1, 0.25 + 0.12 * Math.log2(ep.peakRatio / mult + 1) + 0.05 * (ep.buckets - 1)),
        tsMs: trade.tsMs,
        windowStartMs: ep.startMs,
        windowEndMs: trade.tsMs,
        symbols: [trade.symbol],
        accounts: [...ep.accounts],
        evidence: {
          tradeIds: ep.tradeIds.slice(),
          orderIds: [],
          metrics: [
            { name: 'window_volume', value: hit.sum, unit: 'qty' },
            { name: 'baseline_median_volume', value: hit.baseline, unit: 'qty' },
            { name: 'volume_ratio', value: round2(ratio), threshold: mult, op: '>=', unit: '×' },
            { name: 'log_volume_robust_z', value: round2(z), threshold: round2(hit.z), op: '>=' },
            { name: 'window_trades', value: q.next - hit.head },
          ],
          details: { window_ms: hit.windowMs, baseline_windows: hit.baselineWindows, spike_buckets: ep.buckets },
        },
      });
    },
    onTime(ctx: DetectorContext): void {
      // Forget symbols idle for a long time; only those whose deadline passed are looked at (no walk
      // over all symbols per tick). A popped symbol that traded since is queued at its new deadline.
      forgetIdle(st.queue, st.states, ctx.now, horizon);
    },
    snapshot: () => st,
    restore(state: unknown): void {
      st = state as typeof st;
    },
  };
}

export const volumeSpike: DetectorFactory = {
  pattern: 'volume_spike',
  version: 3,
  create: createVolumeSpike,
};
