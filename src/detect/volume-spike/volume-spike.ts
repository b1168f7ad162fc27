import type { Config } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { RobustRing } from '../window/robust.js';

/**
 * volume_spike: the traded quantity of a symbol in one bucket (default 5 min) reaches
 * `volume_spike_multiplier` × the median of its own recent active buckets AND is an outlier of its
 * own log-volume distribution by a robust z-score (median/MAD). The ratio is the rule users set; the
 * z-score keeps heavy-tailed, bursty symbols (thin crypto pairs) from alerting on their ordinary
 * swings. Empty buckets are left out of the baseline: a market that was closed or a pair that did not
 * trade says nothing about its typical active volume. Judged on every trade, so an alert comes as
 * soon as the bucket crosses; consecutive spiking buckets (gaps up to `volume_episode_gap_buckets`)
 * are one episode and one alert.
 */
interface SymbolState {
  bucketStartMs: number;
  volume: number;
  trades: number;
  tradeIds: string[];
  accounts: Set<string>;
  /** Volume that trips the alert in this bucket; Infinity while the baseline warms up. */
  triggerVolume: number;
  baseline: number;
  logMedian: number;
  logSigma: number;
  history: RobustRing;
  logHistory: RobustRing;
  episode: Episode | null;
  /** Ratio at the last emission of this bucket (0 = not emitted yet). */
  emittedRatio: number;
}

interface Episode {
  startMs: number;
  lastSpikeBucketMs: number;
  tradeIds: string[];
  accounts: Set<string>;
  peakRatio: number;
  buckets: number;
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
      episode: null,
      emittedRatio: 0,
    };
  }

  /** Closes the current bucket when `tsMs` is past it, feeding the baseline and ending stale episodes. */
  function roll(s: SymbolState, tsMs: number): void {
    const target = tsMs - (tsMs % bucketMs);
    if (target <= s.bucketStartMs) return;
    if (s.volume > 0) {
      s.history.push(s.volume);
      s.logHistory.push(Math.log(s.volume));
    }
    const ep = s.episode;
    if (ep && s.emittedRatio > 0) {
      // The closing bucket spiked: its trades join the episode's evidence.
      for (const id of s.tradeIds) if (ep.tradeIds.length < MAX_IDS) ep.tradeIds.push(id);
      for (const a of s.accounts) ep.accounts.add(a);
    }
    if (ep && target - ep.lastSpikeBucketMs > bucketMs * (t.volume_episode_gap_buckets + 1)) s.episode = null;
    s.bucketStartMs = target;
    s.volume = 0;
    s.trades = 0;
    s.tradeIds = [];
    s.accounts = new Set();
    s.emittedRatio = 0;
    if (s.history.size >= t.volume_min_baseline_buckets) {
      s.baseline = s.history.median();
      s.logMedian = s.logHistory.median();
      s.logSigma = Math.max(s.logHistory.madSigma(), 0.25);
      const byRatio = t.volume_spike_multiplier * s.baseline;
      const byZ = Math.exp(s.logMedian + t.volume_robust_z * s.logSigma);
      s.triggerVolume = Math.max(byRatio, byZ);
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

      const ratio = s.volume / s.baseline;
      // Re-emit only when the bucket first crosses or grows by 25%, to keep updates few.
      if (s.emittedRatio > 0 && ratio < s.emittedRatio * 1.25) return;
      let ep = s.episode;
      if (!ep) {
        ep = { startMs: s.bucketStartMs, lastSpikeBucketMs: s.bucketStartMs, tradeIds: [], accounts: new Set(), peakRatio: 0, buckets: 0 };
        s.episode = ep;
      }
      if (s.emittedRatio === 0) ep.buckets++;
      ep.lastSpikeBucketMs = s.bucketStartMs;
      ep.peakRatio = Math.max(ep.peakRatio, ratio);
      s.emittedRatio = ratio;
      const z = (Math.log(s.volume) - s.logMedian) / s.logSigma;
      const ids = ep.tradeIds.concat(s.tradeIds).slice(0, MAX_IDS);
      const accounts = new Set([...ep.accounts, ...s.accounts]);
      const mult = t.volume_spike_multiplier;
      const zExcess = Math.max(0, z - t.volume_robust_z);
      ctx.emit({
        pattern: 'volume_spike',
        episodeKey: `${trade.symbol}|${ep.startMs}`,
        description:
          `${trade.symbol}: ${fmt(s.volume)} traded in the ${bucketMs / 60000}-min bucket from ${iso(s.bucketStartMs)} ` +
          `(${s.trades} trades), ${ratio.toFixed(1)}× the median active bucket of the last ${s.history.size} (${fmt(s.baseline)}); ` +
          `threshold ${mult}× and robust z ${z.toFixed(1)} ≥ ${t.volume_robust_z}.` +
          (ep.buckets > 1 ? ` Spike has lasted ${ep.buckets} buckets, peak ${ep.peakRatio.toFixed(1)}×.` : ''),
        // Confidence: how far past both bars the bucket is. Risk: size of the surge, and its duration.
        confidence: Math.min(1, 0.55 + 0.15 * Math.log2(ratio / mult) + 0.1 * zExcess),
        riskScore: Math.min(1, 0.25 + 0.12 * Math.log2(ep.peakRatio / mult + 1) + 0.05 * (ep.buckets - 1)),
        tsMs: trade.tsMs,
        windowStartMs: ep.startMs,
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
          details: { bucket_ms: bucketMs, baseline_buckets: s.history.size, spike_buckets: ep.buckets },
        },
      });
    },
    onTime(ctx: DetectorContext): void {
      // Forget symbols idle for a long time: memory stays bounded by the active symbols.
      const horizon = Math.max(bucketMs * t.volume_baseline_buckets, 24 * 3600_000);
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
  version: 2,
  create: createVolumeSpike,
};
