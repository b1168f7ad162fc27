import type { Config } from '../../config/config.js';
import type { Trade } from '../../domain/events.js';
import type { Detector, DetectorContext, DetectorFactory } from '../detector.js';
import { RobustRing } from '../window/robust.js';
import { TimeExtremes } from '../window/time-extremes.js';

/**
 * price_anomaly: the price of a symbol moves, within `price_window_ms`, by at least
 * `price_change_threshold` from the window's low (a rise) or high (a fall); or by at least
 * `price_volatility_z` of the symbol's own typical window move (robust: MAD of past window log
 * returns), and no less than `price_min_move`. One alert per episode: moves in the same direction
 * within a window of the last alerting trade extend it.
 */
interface SymbolState {
  extremes: TimeExtremes;
  /** Log returns of consecutive windows (close to close), for the symbol's own volatility. */
  returns: RobustRing;
  windowStartMs: number;
  windowOpenPrice: number;
  lastPrice: number;
  /** Non-zero trade-to-trade moves |log p_i/p_(i-1)|: the symbol's tick and bid-ask bounce. */
  ticks: RobustRing;
  /** Cached at each window roll: volatility of window returns, typical tick move. */
  sigma: number;
  tickMove: number;
  /** Recent trade ids (bounded), as evidence of the move. */
  recentIds: { tsMs: number; id: string }[];
  episode: { key: string; direction: 'up' | 'down'; startMs: number; lastMs: number; peakMove: number } | null;
  lastTsMs: number;
}

const MAX_IDS = 200;

function createPriceAnomaly(config: Config): Detector {
  const t = config.thresholds;
  const windowMs = t.price_window_ms;
  const states = new Map<string, SymbolState>();

  return {
    onTrade(trade: Trade, ctx: DetectorContext): void {
      let s = states.get(trade.symbol);
      if (!s) {
        s = {
          extremes: new TimeExtremes(windowMs),
          returns: new RobustRing(100),
          ticks: new RobustRing(64),
          sigma: NaN,
          tickMove: 0,
          windowStartMs: trade.tsMs - (trade.tsMs % windowMs),
          windowOpenPrice: trade.price,
          lastPrice: trade.price,
          recentIds: [],
          episode: null,
          lastTsMs: trade.tsMs,
        };
        states.set(trade.symbol, s);
      }
      // Window-to-window returns feed the symbol's volatility estimate.
      const ws = trade.tsMs - (trade.tsMs % windowMs);
      if (ws > s.windowStartMs) {
        if (s.lastPrice > 0 && s.windowOpenPrice > 0) s.returns.push(Math.log(s.lastPrice / s.windowOpenPrice));
        s.windowStartMs = ws;
        s.windowOpenPrice = s.lastPrice;
        // Volatility: robust (MAD) but never below the mean absolute return, so a symbol whose price
        // mostly does not move (MAD 0) is not judged against zero volatility.
        if (s.returns.size >= t.price_min_volatility_windows) {
          s.sigma = Math.max(s.returns.madSigma(), 1.2533 * s.returns.meanAbs());
        }
        s.tickMove = s.ticks.size >= 10 ? s.ticks.median() : 0;
      }
      if (trade.price !== s.lastPrice && s.lastPrice > 0) s.ticks.push(Math.abs(Math.log(trade.price / s.lastPrice)));
      s.lastPrice = trade.price;
      s.lastTsMs = trade.tsMs;
      s.extremes.push(trade.tsMs, trade.price);
      s.recentIds.push({ tsMs: trade.tsMs, id: trade.tradeId });
      while (s.recentIds.length > 0 && (s.recentIds[0]!.tsMs < trade.tsMs - windowMs || s.recentIds.length > MAX_IDS)) {
        s.recentIds.shift();
      }

      const low = s.extremes.min;
      const high = s.extremes.max;
      const rise = trade.price / low - 1;
      const fall = 1 - trade.price / high;
      const direction: 'up' | 'down' = rise >= fall ? 'up' : 'down';
      const move = Math.max(rise, fall);
      const fromPrice = direction === 'up' ? low : high;
      const fromMs = direction === 'up' ? s.extremes.minAtMs : s.extremes.maxAtMs;

      const sigma = s.sigma;
      const logMove = Math.abs(Math.log(trade.price / fromPrice));
      const z = sigma > 0 ? logMove / sigma : NaN;
      const byThreshold = move >= t.price_change_threshold;
      // A move of a few ticks across a wide spread (bid-ask bounce) is not an anomaly, however calm.
      const byVolatility = z >= t.price_volatility_z && move >= t.price_min_move && logMove >= t.price_min_ticks * s.tickMove;
      if (!byThreshold && !byVolatility) return;

      const ep = s.episode;
      let episode = ep;
      if (!ep || ep.direction !== direction || trade.tsMs - ep.lastMs > windowMs) {
        episode = { key: `${trade.symbol}|${direction}|${fromMs}`, direction, startMs: fromMs, lastMs: trade.tsMs, peakMove: 0 };
        s.episode = episode;
      }
      const e = episode!;
      e.lastMs = trade.tsMs;
      // Update the alert only when the move grows noticeably (keeps updates few on long moves).
      if (move < e.peakMove * 1.1 && e.peakMove > 0) return;
      e.peakMove = move;
      const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
      const rule = byThreshold
        ? `threshold ${pct(t.price_change_threshold)}`
        : `${z.toFixed(1)}× its typical ${windowMs / 60000}-min move (threshold ${t.price_volatility_z}×)`;
      ctx.emit({
        pattern: 'price_anomaly',
        episodeKey: e.key,
        description:
          `${trade.symbol}: price ${direction === 'up' ? 'rose' : 'fell'} ${pct(move)} from ${fromPrice} to ${trade.price} ` +
          `within ${((trade.tsMs - fromMs) / 1000).toFixed(0)}s (${rule}).`,
        confidence: byThreshold ? Math.min(1, 0.6 + move / t.price_change_threshold / 5) : Math.min(1, 0.4 + 0.3 * (z / t.price_volatility_z - 1)),
        riskScore: Math.min(1, 0.3 + move * 1.5),
        tsMs: trade.tsMs,
        windowStartMs: e.startMs,
        windowEndMs: trade.tsMs,
        symbols: [trade.symbol],
        accounts: [],
        evidence: {
          tradeIds: s.recentIds.filter((r) => r.tsMs >= fromMs).map((r) => r.id),
          orderIds: [],
          metrics: [
            { name: 'price_move', value: round4(move), threshold: t.price_change_threshold, op: '>=', unit: 'ratio' },
            { name: 'from_price', value: fromPrice },
            { name: 'to_price', value: trade.price },
            ...(Number.isFinite(z)
              ? [{ name: 'volatility_z', value: round4(z), threshold: t.price_volatility_z, op: '>=' as const }]
              : []),
            ...(s.tickMove > 0 ? [{ name: 'typical_tick_move', value: round4(s.tickMove), unit: 'log' }] : []),
          ],
          details: { direction, window_ms: windowMs, rule: byThreshold ? 'threshold' : 'volatility' },
        },
      });
    },
    onTime(ctx: DetectorContext): void {
      // Forget symbols idle for longer than the volatility history would stay meaningful.
      for (const [symbol, s] of states) if (ctx.now - s.lastTsMs > windowMs * 200) states.delete(symbol);
    },
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

export const priceAnomaly: DetectorFactory = {
  pattern: 'price_anomaly',
  version: 1,
  create: createPriceAnomaly,
};
