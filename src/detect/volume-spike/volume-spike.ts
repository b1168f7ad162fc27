import type { Config } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { RobustRing } from '../window/robust.js';

/**
 * volume_spike: the traded quantity of a symbol in one bucket (default 1 min) reaches
 * `volume_spike_multiplier` × the median of its own recent buckets, and is also an outlier in
 * log-volume by a robust z-score (median/MAD), so a noisy symbol's ordinary swings do not alert.
 * Judged on every trade (alerts as soon as the bucket crosses), one alert per run of spiking buckets.
 */
interface SymbolState {
  bucketStartMs: number;
  volume: number;
  trades: number;
  tradeIds: string[];
  accounts: Set<string>;
  /** Volume that trips the alert in this bucket (from the baseline at bucket start); Infinity = not judged. */
  triggerVolume: number;
  baseline: number;
  logMedian: number;
  logSigma: number;
  history: RobustRing;
  logHistory: RobustRing;
  /** The open episode: first spiking bucket start, and the last bucket that spiked. */
  episodeStartMs: number | null;
  episodeLastBucketMs: number;
  episodeTradeIds: string[];
  episodeAccounts: Set<string>;
  peakRatio: number;
  alerted: boolean;
}

const MAX_IDS = 500;

function createVolumeSpike(config: Config): Detector {
  const t = config.thresholds;
  const bucketMs = t.volume_bucket_ms;
  const states = new Map<string, SymbolState>();

  function newState(bucketStartMs: number): SymbolState {
    return {
      bucketStartMs,
      volume: 0,
      trades: 0,
      tradeIds: [],
      accounts: new Set(),
      triggerVolume: Infinity,
      baseline: NaN,
      logMedian: NaN,
      logSigma: NaN,
      history: new RobustRing(t.volume_baseline_buckets),
      logHistory: new RobustRing(t.volume_baseline_buckets),
      episodeStartMs: null,
      episodeLastBucketMs: 0,
      episodeTradeIds: [],
      episodeAccounts: new Set(),
      peakRatio: 0,
      alerted: false,
    };
  }

  /** Closes buckets up to the one containing `tsMs`, feeding the baseline (empty buckets count as 0). */
  function roll(s: SymbolState, tsMs: number): void {
    const target = tsMs - (tsMs % bucketMs);
    if (target <= s.bucketStartMs) return;
    const closed = Math.min(Math.round((target - s.bucketStartMs) / bucketMs), t.volume_baseline_buckets + 1);
    for (let i = 0; i < closed; i++) {
      const v = i === 0 ? s.volume : 0;
      s.history.push(v);
      s.logHistory.push(Math.log1p(v));
    }
    if (s.alerted) {
      // The closing bucket spiked: its trades join the episode's evidence.
      for (const id of s.tradeIds) if (s.episodeTradeIds.length < MAX_IDS) s.episodeTradeIds.push(id);
      for (const a of s.accounts) s.episodeAccounts.add(a);
    }
    if (s.episodeStartMs !== null && target - s.episodeLastBucketMs > bucketMs) {
      s.episodeStartMs = null; // the run of spiking buckets ended
    }
    s.bucketStartMs = target;
    s.volume = 0;
    s.trades = 0;
    s.tradeIds = [];
    s.accounts = new Set();
    s.alerted = false;
    if (s.history.size >= t.volume_min_baseline_buckets) {
      // A baseline of mostly empty buckets has median 0: fall back to the mean so one trade is no spike.
      const median = s.history.median();
      s.baseline = median > 0 ? median : s.history.mean();
      s.logMedian = s.logHistory.median();
      s.logSigma = Math.max(s.logHistory.madSigma(), 0.25);
      const byRatio = t.volume_spike_multiplier * s.baseline;
      const byZ = Math.expm1(s.logMedian + t.volume_robust_z * s.logSigma);
      s.triggerVolume = s.baseline > 0 ? Math.max(byRatio, byZ) : Infinity;
    } else s.triggerVolume = Infinity;
  }

  return {
    onTrade(trade: Trade, ctx: DetectorContext): void {
      let s = states.get(trade.symbol);
      if (!s) {
        s = newState(trade.tsMs - (trade.tsMs % bucketMs));
        states.set(trade.symbol, s);
      }
      roll(s, trade.tsMs);
      s.volume += trade.qty;
      s.trades++;
      if (s.tradeIds.length < MAX_IDS) s.tradeIds.push(trade.tradeId);
      if (trade.buyer) s.accounts.add(trade.buyer);
      if (trade.seller) s.accounts.add(trade.seller);
      if (s.volume < s.triggerVolume) return;

      // The bucket spikes: open or extend the episode and (re)emit the alert.
      if (s.episodeStartMs === null) {
        s.episodeStartMs = s.bucketStartMs;
        s.episodeTradeIds = [];
        s.episodeAccounts = new Set();
        s.peakRatio = 0;
      }
      s.episodeLastBucketMs = s.bucketStartMs;
      const ratio = s.volume / s.baseline;
      // Re-emit only when the bucket first crosses or grows by 25%, to keep updates few.
      if (s.alerted && ratio < s.peakRatio * 1.25) return;
      s.alerted = true;
      s.peakRatio = Math.max(s.peakRatio, ratio);
      const z = (Math.log1p(s.volume) - s.logMedian) / s.logSigma;
      const ids = s.episodeTradeIds.concat(s.tradeIds).slice(0, MAX_IDS);
      const accounts = new Set([...s.episodeAccounts, ...s.accounts]);
      const mult = t.volume_spike_multiplier;
      ctx.emit({
        pattern: 'volume_spike',
        episodeKey: `${trade.symbol}|${s.episodeStartMs}`,
        description:
          `${trade.symbol}: ${fmt(s.volume)} traded in the ${bucketMs / 1000}s bucket from ${iso(s.bucketStartMs)}, ` +
          `${ratio.toFixed(1)}× the median bucket of the last ${s.history.size} (${fmt(s.baseline)}); threshold ${mult}×.`,
        // Confidence grows with how far past the threshold (ratio and z) the bucket is.
        confidence: Math.min(1, 0.5 + 0.25 * Math.log2(ratio / mult + 1) + 0.05 * Math.max(0, z - t.volume_robust_z)),
        riskScore: Math.min(1, 0.25 + 0.15 * Math.log2(ratio / mult + 1)),
        tsMs: trade.tsMs,
        windowStartMs: s.episodeStartMs,
        windowEndMs: s.bucketStartMs + bucketMs,
        symbols: [trade.symbol],
        accounts: [...accounts],
        evidence: {
          tradeIds: ids,
          orderIds: [],
          metrics: [
            { name: 'bucket_volume', value: s.volume, unit: 'qty' },
            { name: 'baseline_median_volume', value: s.baseline, unit: 'qty' },
            { name: 'volume_ratio', value: round(ratio), threshold: mult, op: '>=', unit: '×' },
            { name: 'log_volume_robust_z', value: round(z), threshold: t.volume_robust_z, op: '>=' },
            { name: 'bucket_trades', value: s.trades },
          ],
          details: { bucket_ms: bucketMs, baseline_buckets: s.history.size },
        },
      });
    },
    onTime(ctx: DetectorContext): void {
      // Close buckets of quiet symbols and forget symbols idle beyond the baseline horizon.
      const horizon = bucketMs * (t.volume_baseline_buckets + 2);
      for (const [symbol, s] of states) {
        if (ctx.now - s.bucketStartMs > horizon) states.delete(symbol);
      }
    },
  };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, '');
}
function round(x: number): number {
  return Math.round(x * 100) / 100;
}
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export const volumeSpike: DetectorFactory = {
  pattern: 'volume_spike',
  version: 1,
  create: createVolumeSpike,
};
