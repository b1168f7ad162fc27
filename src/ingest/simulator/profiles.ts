import type { Prng } from './prng.js';
import type { SymbolProfile } from './market.js';

/**
 * A symbol's market character, drawn from the seed: alternately liquid (busy, tight, calm) and thin
 * (few trades, wide ticks relative to size, jumpier), each with its own price level, tick size and
 * volatility, so detectors must judge every symbol against its own baseline.
 */
export function makeProfile(symbol: string, index: number, rng: Prng): SymbolProfile {
  const liquid = index % 2 === 0 ? true : index % 4 === 1 ? false : rng.chance(0.5);
  const startPrice = liquid ? rng.uniform(20, 400) : rng.uniform(0.8, 40);
  // Tick ≈ 1–5 bp of the price, rounded down to a power of ten, as on most venues.
  const tickSize = 10 ** Math.floor(Math.log10(startPrice * 3e-4));
  // Daily volatility 1–2.5% (liquid) or 2–5% (thin) over a 6.5 h session.
  const daily = liquid ? rng.uniform(0.01, 0.025) : rng.uniform(0.02, 0.05);
  return {
    symbol,
    tickSize,
    startPrice: Number(startPrice.toFixed(Math.max(0, -Math.log10(tickSize)))),
    sigmaPerSqrtSec: daily / Math.sqrt(23_400),
    arrivalsPerSec: liquid ? rng.uniform(0.8, 2.0) : rng.uniform(0.08, 0.3),
    medianQty: liquid ? rng.pick([50, 100, 200]) : rng.pick([500, 1000, 2000]),
    liquid,
  };
}
