import type { Config } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { SlotExtremes } from '../window/slot-extremes.js';
import { SlotTable } from '../window/slot-table.js';
import { SlotValueRings } from '../window/slot-value-rings.js';
import { TradeQueues } from './trade-queue.js';
import { normalTail, normalTailInverse } from '../window/normal.js';
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
 * One window length's numbers, in the symbol's row of the slot table at k × SCALE_FIELDS for scale
 * k (window lengths ascending).
 */
const CAL_START = 0;
const CAL_VOLUME = 1;
/**
 * Volume that trips the alert: Infinity while the baseline warms up, NaN while out of date (a
 * window closed since; computed when first needed, see triggerOf).
 */
const TRIGGER = 2;
const BASELINE = 3;
/** Number of the oldest queued trade inside the rolling window, and the window's volume. */
const HEAD = 4;
const SUM = 5;
const SCALE_FIELDS = 6;

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

/**
 * All mutable state (the checkpoint), by symbol slot (window/slot-table.ts): the scales' numbers
 * (a row of SCALE_FIELDS per scale), volumes of past active calendar windows (ring k for length
 * k; their logs' statistics are taken from them when needed), the largest single trade in each
 * rolling window, the trades of the longest window, and open episodes.
 */
interface State {
  symbols: SlotTable;
  history: SlotValueRings;
  largest: SlotExtremes;
  trades: TradeQueues;
  episodes: (Episode | null)[];
}

/**
 * Log statistics held for this many histories (see `logStatsAt`), in a small table by ring
 * (slot × scales + k, direct mapped).
 */
const CACHED = 64;

/**
 * The detector as a class (its state in `st`): one set of methods for every engine. As closures
 * made per engine, optimised code that had inlined one engine's `triggerOf` threw itself away at
 * the first call of another's ("wrong call target"): in the live engine, after the warm-up's.
 */
class VolumeSpike implements Detector {
  private readonly t: Config['thresholds'];
  private readonly bucketMs: number;
  /** The window lengths judged, ascending. */
  private readonly lengths: number[];
  private readonly gapMs: number;
  private readonly scales: number;
  /** Robust-z bar of each length: shorter windows are more tests per day, so a higher bar. */
  private readonly zs: number[];
  private st: State;
  /** Forgets an idle symbol's slot (`forgetIdle`'s callback). */
  private readonly closeSlot = (slot: number): void => this.close(slot);

  constructor(config: Config) {
    const t = config.thresholds;
    this.t = t;
    const bucketMs = t.volume_bucket_ms;
    this.bucketMs = bucketMs;
    const lengths = [...new Set([bucketMs, t.volume_short_window_ms])].sort((a, b) => a - b);
    this.lengths = lengths;
    const longestMs = lengths[lengths.length - 1]!;
    this.gapMs = Math.max(1, t.volume_episode_gap_buckets) * bucketMs;
    /** Symbols idle this long are forgotten: memory stays bounded by the active symbols. */
    const horizon = Math.max(longestMs * t.volume_baseline_buckets, 24 * 3600_000);
    const scales = lengths.length;
    this.scales = scales;
    this.st = {
      symbols: new SlotTable(scales * SCALE_FIELDS, horizon),
      history: new SlotValueRings(t.volume_baseline_buckets, scales),
      largest: new SlotExtremes(lengths[0]!, longestMs, false),
      trades: new TradeQueues(),
      episodes: [],
    };
    this.zs = lengths.map((w) => this.zFor(w));
  }

  /**
   * volume_robust_z holds for the long window; a shorter one is judged (bucketMs / w) times as often,
   * so its bar is raised until its expected false alarms per day equal the long window's.
   */
  private zFor(w: number): number {
    const t = this.t;
    return w >= this.bucketMs ? t.volume_robust_z : normalTailInverse((normalTail(t.volume_robust_z) * w) / this.bucketMs);
  }

  /** A new symbol (or one back after being forgotten) in `slot`, first trading at `tsMs`. */
  private open(slot: number, tsMs: number): void {
    const st = this.st;
    const scales = this.scales;
    const f = st.symbols.f;
    for (let k = 0; k < scales; k++) {
      const row = slot * scales * SCALE_FIELDS + k * SCALE_FIELDS;
      const w = this.lengths[k]!;
      f[row + CAL_START] = tsMs - (tsMs % w);
      f[row + CAL_VOLUME] = 0;
      f[row + TRIGGER] = Infinity;
      f[row + BASELINE] = NaN;
      f[row + HEAD] = 0;
      f[row + SUM] = 0;
    }
    // No log statistics are held for the slot: a new one had none, a reused one lost them at `close`.
    st.history.open(slot);
    st.largest.open(slot);
    st.trades.open(slot);
    while (st.episodes.length <= slot) st.episodes.push(null);
    st.episodes[slot] = null;
  }

  /** Forgets the symbol in `slot` (idle): its rings and deques go back to their pools. */
  private close(slot: number): void {
    const st = this.st;
    st.history.close(slot);
    this.forgetLogStats(slot);
    st.largest.close(slot);
    st.trades.close(slot);
    st.episodes[slot] = null;
  }

  /** Closes scale k's calendar window (`tsMs` is past it; b: the scale's numbers in `f`) and marks its trigger out of date. */
  private roll(slot: number, b: number, k: number, tsMs: number): void {
    const st = this.st;
    const f = st.symbols.f;
    const w = this.lengths[k]!;
    const target = tsMs - (tsMs % w);
    if (f[b + CAL_VOLUME]! > 0) {
      st.history.push(slot, k, f[b + CAL_VOLUME]!);
      this.forgetLogStats(slot, k);
      if (st.history.size(slot, k) >= this.t.volume_min_baseline_buckets) {
        f[b + BASELINE] = st.history.median(slot, k);
        f[b + TRIGGER] = NaN;
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
  private triggerOf(slot: number, b: number, k: number): number {
    const f = this.st.symbols.f;
    if (Number.isNaN(f[b + TRIGGER])) {
      f[b + TRIGGER] = Math.max(
        this.t.volume_spike_multiplier * f[b + BASELINE]!,
        Math.exp(this.logMedianOf(slot, k) + this.zs[k]! * this.logSigmaOf(slot, k)),
      );
    }
    return f[b + TRIGGER]!;
  }

  /**
   * The median and the spread of the log-volumes of scale k's history: read when a trigger is
   * computed and again by every alert of a hit on it (the same values: the history has not changed
   * in between). MAD, not a tail quantile: a sustained busy regime (a third of the history at 4×)
   * must not widen the spread until a 20× burst looks ordinary. A floor keeps a symbol trading like
   * clockwork from alerting on a 30% busier window.
   */
  private logMedianOf(slot: number, k: number): number {
    return this.cachedLogMedian[this.logStatsAt(slot, k)]!;
  }
  private logSigmaOf(slot: number, k: number): number {
    return this.cachedLogSigma[this.logStatsAt(slot, k)]!;
  }

  /**
   * Both, for the histories read lately, in a small table by ring (slot × scales + k, direct
   * mapped): during a surge every trade is a hit, and two sorts of the history per trade were most
   * of volume_spike's time in the live feed's burst. An entry goes when its history changes (a
   * window closes) or its slot is opened or closed. Not state (after a restore they are computed
   * again, to the same values) and not per symbol (two more numbers in a row: 3 MB at 100k symbols).
   */
  private readonly cachedRing = new Int32Array(CACHED).fill(-1);
  private readonly cachedLogMedian = new Float64Array(CACHED);
  private readonly cachedLogSigma = new Float64Array(CACHED);

  /** The table entry holding the log statistics of scale k's history of `slot`, computed if not held. */
  private logStatsAt(slot: number, k: number): number {
    const r = slot * this.scales + k;
    const i = r & (CACHED - 1);
    if (this.cachedRing[i] !== r) {
      const history = this.st.history;
      this.cachedLogMedian[i] = history.logMedian(slot, k);
      this.cachedLogSigma[i] = Math.max(history.logMadSigma(slot, k), 0.25);
      this.cachedRing[i] = r;
    }
    return i;
  }

  /** Drops the log statistics held for scale k (every scale when omitted) of `slot`. */
  private forgetLogStats(slot: number, k = -1): void {
    const cachedRing = this.cachedRing;
    for (let j = 0; j < this.scales; j++) {
      if (k >= 0 && j !== k) continue;
      const r = slot * this.scales + j;
      if (cachedRing[r & (CACHED - 1)] === r) cachedRing[r & (CACHED - 1)] = -1;
    }
  }

  onTrade(trade: Trade, ctx: DetectorContext): void {
    const { st, t, lengths, scales, bucketMs, zs } = this;
    const { symbols, largest, trades: q } = st;
    let slot = symbols.slotOf(trade.symbol);
    // Back after a quiet spell: its deques shrink to what they hold while it waits for the next trade.
    const quiet = slot >= 0 && trade.tsMs >= symbols.lastTsMs(slot) + lengths[0]!;
    if (slot < 0) {
      slot = symbols.add(trade.symbol);
      this.open(slot, trade.tsMs);
    }
    symbols.touch(trade.symbol, slot, trade.tsMs);
    q.push(slot, trade.tsMs, trade.qty, trade.tradeId, trade.buyer ?? '', trade.seller ?? '');
    largest.push(slot, trade.tsMs, trade.qty);
    const f = symbols.f;
    const row = slot * scales * SCALE_FIELDS;
    let hitK = -1;
    let hitExcess = 0;
    for (let k = 0; k < scales; k++) {
      const b = row + k * SCALE_FIELDS;
      const w = lengths[k]!;
      // Still in the current window (starts are multiples of its length): no floating-point `%` per trade.
      if (trade.tsMs >= f[b + CAL_START]! + w) this.roll(slot, b, k, trade.tsMs);
      f[b + CAL_VOLUME] = f[b + CAL_VOLUME]! + trade.qty;
      let sum = f[b + SUM]! + trade.qty;
      // The rolling window is [now − length, now] (as TimeExtremes keeps it).
      const cutoff = trade.tsMs - w;
      let head = f[b + HEAD]!;
      const next = q.next(slot);
      while (head < next && q.tsMs(slot, head) < cutoff) sum -= q.qty(slot, head++);
      if (head === next - 1) sum = trade.qty; // re-anchor: no float drift across quiet spells
      f[b + HEAD] = head;
      f[b + SUM] = sum;
      // Leave-one-out: one block print is a large trade, not a surge of activity; the window must
      // cross the bar without its largest trade (robust on heavy-tailed thin pairs).
      const activity = sum - largest.value(slot, k);
      if (activity >= t.volume_spike_multiplier * f[b + BASELINE]! && activity >= this.triggerOf(slot, b, k)) {
        const excess = sum / f[b + TRIGGER]!;
        if (excess > hitExcess) {
          hitK = k;
          hitExcess = excess;
        }
      }
    }
    // Trades older than the longest window are not needed any more.
    q.dropBefore(slot, f[row + (scales - 1) * SCALE_FIELDS + HEAD]!);
    if (quiet) {
      largest.trim(slot);
      q.trim(slot);
    }
    let ep = st.episodes[slot] ?? null;
    if (ep && trade.tsMs - ep.lastSpikeMs > this.gapMs) ep = st.episodes[slot] = null;
    if (hitK < 0) return;
    const hb = row + hitK * SCALE_FIELDS;
    // Read from the row where they are (during a surge every trade is a hit: no object for it).
    const hitSum = f[hb + SUM]!;
    const hitBaseline = f[hb + BASELINE]!;
    const hitHead = f[hb + HEAD]!;

    const longBucket = trade.tsMs - (trade.tsMs % bucketMs);
    const ratio = hitSum / hitBaseline;
    if (!ep) {
      ep = {
        startMs: q.tsMs(slot, hitHead),
        lastSpikeMs: trade.tsMs,
        lastEmitMs: -Infinity,
        tradeIds: [],
        accounts: new Set(),
        peakRatio: 0,
        emittedRatio: 0,
        buckets: 0,
        lastBucketMs: -Infinity,
      };
      for (let i = hitHead; i < q.next(slot) && i < hitHead + MAX_IDS; i++) ep.tradeIds.push(q.id(slot, i));
      for (let i = hitHead; i < q.next(slot) && ep.accounts.size < MAX_IDS; i++) {
        if (q.buyer(slot, i)) ep.accounts.add(q.buyer(slot, i));
        if (q.seller(slot, i)) ep.accounts.add(q.seller(slot, i));
      }
      st.episodes[slot] = ep;
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
    const hit: Hit = {
      windowMs: lengths[hitK]!,
      z: zs[hitK]!,
      sum: hitSum,
      baseline: hitBaseline,
      logMedian: this.logMedianOf(slot, hitK),
      logSigma: this.logSigmaOf(slot, hitK),
      head: hitHead,
      baselineWindows: st.history.size(slot, hitK),
    };
    const z = (Math.log(hit.sum) - hit.logMedian) / hit.logSigma;
    const mult = t.volume_spike_multiplier;
    const zExcess = Math.max(0, z - hit.z);
    const minutes = (ms: number): string => `${+(ms / 60_000).toFixed(2)}-min`;
    ctx.emit({
      pattern: 'volume_spike',
      episodeKey: `${trade.symbol}|${ep.startMs}`,
      description:
        `${trade.symbol}: ${fmt(hit.sum)} traded in the ${minutes(hit.windowMs)} window to ${iso(trade.tsMs)} ` +
        `(${q.next(slot) - hit.head} trades), ${ratio.toFixed(1)}× the median active ${minutes(hit.windowMs)} window of the last ${hit.baselineWindows} (${fmt(hit.baseline)}); ` +
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
          { name: 'window_trades', value: q.next(slot) - hit.head },
        ],
        details: { window_ms: hit.windowMs, baseline_windows: hit.baselineWindows, spike_buckets: ep.buckets },
      },
    });
  }

  onTime(ctx: DetectorContext): void {
    // Forget symbols idle for a long time; only those whose deadline passed are looked at (no walk
    // over all symbols per tick). A popped symbol that traded since is queued at its new deadline.
    this.st.symbols.forgetIdle(ctx.now, this.closeSlot);
  }

  snapshot(): unknown {
    return this.st;
  }

  restore(state: unknown): void {
    this.st = state as State;
    this.cachedRing.fill(-1);
  }
}

export const volumeSpike: DetectorFactory = {
  pattern: 'volume_spike',
  version: 3,
  create: (config: Config): Detector => new VolumeSpike(config),
};
