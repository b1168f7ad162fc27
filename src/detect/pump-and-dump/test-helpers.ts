import type { Alert } from '../../domain/alert.js';
import type { Side, Trade } from '../../domain/events.js';
import { parseConfig } from '../../config/config.js';
import { Engine } from '../../engine/engine.js';
import { pumpAndDump } from './pump-and-dump.js';

/** Small builders for pump_and_dump golden scenarios (tests only). */

export const T0 = Date.parse('2026-03-02T00:00:00Z');
const MIN = 60_000;

let seq = 0;
/** One trade; ids are sequential so scenarios are reproducible within a test. */
export function trade(tsMs: number, price: number, qty: number, side: Side | undefined, buyer = '', seller = '', symbol = 'PMP'): Trade {
  seq++;
  return { type: 'trade', tsMs, symbol, price, qty, buyer, seller, tradeId: `t${seq}`, side };
}

/** Quiet two-sided background: one trade every `everyMs`, price wobbling ±0.2% around `price`. */
export function background(fromMs: number, toMs: number, price: number, opts: { everyMs?: number; anonymous?: boolean } = {}): Trade[] {
  const every = opts.everyMs ?? 10_000;
  const out: Trade[] = [];
  let i = 0;
  for (let ts = fromMs; ts < toMs; ts += every, i++) {
    const buy = i % 2 === 0;
    const p = price * (1 + (buy ? 0.002 : -0.002));
    out.push(
      opts.anonymous
        ? trade(ts, p, 1, undefined)
        : trade(ts, p, 1, buy ? 'buy' : 'sell', buy ? `mm${i % 3}` : `inv${i % 5}`, buy ? `inv${i % 5}` : `mm${i % 3}`),
    );
  }
  return out;
}

export interface PumpShape {
  startMs: number;
  fromPrice: number;
  /** Peak price (e.g. 1.3 × fromPrice). */
  toPrice: number;
  /** Seconds the rise lasts. */
  riseSec: number;
  /** Aggressive buy orders per second during the rise (rush when ≥ pump_rush_buys). */
  buysPerSec: number;
  /** Seconds after the peak over which the price falls back to `dumpTo` (0 = no dump). */
  dumpSec: number;
  dumpTo: number;
  anonymous?: boolean;
  buyers?: readonly string[];
  dumpers?: readonly string[];
}

/** A pump (rising buys, `buysPerSec` distinct orders each second) and an optional dump (sells). */
export function pump(p: PumpShape): Trade[] {
  const out: Trade[] = [];
  const buyers = p.buyers ?? ['P1', 'P2', 'P3'];
  const dumpers = p.dumpers ?? ['P1', 'P2'];
  const n = p.riseSec * p.buysPerSec;
  for (let k = 0; k < n; k++) {
    const ts = p.startMs + Math.floor(k / p.buysPerSec) * 1000 + (k % p.buysPerSec) * Math.floor(900 / p.buysPerSec) + 1;
    const price = p.fromPrice + ((p.toPrice - p.fromPrice) * (k + 1)) / n;
    out.push(p.anonymous ? trade(ts, price, 3, undefined) : trade(ts, price, 3, 'buy', buyers[k % buyers.length], `mm${k % 3}`));
  }
  const peakMs = p.startMs + p.riseSec * 1000;
  for (let k = 0; k < p.dumpSec; k++) {
    const ts = peakMs + (k + 1) * 1000;
    const price = p.toPrice - ((p.toPrice - p.dumpTo) * (k + 1)) / p.dumpSec;
    out.push(p.anonymous ? trade(ts, price, 5, undefined) : trade(ts, price, 5, 'sell', `fomo${k % 7}`, dumpers[k % dumpers.length]));
  }
  return out;
}

/** Every alert version the engine wrote, in order (events are fed one by one, so none collapse). */
export async function run(events: readonly Trade[], thresholds: Record<string, number> = {}): Promise<Alert[]> {
  const seen: Alert[] = [];
  const engine = new Engine([pumpAndDump], parseConfig({ thresholds }), { write: (a) => void seen.push(...a) });
  const sorted = [...events].sort((a, b) => a.tsMs - b.tsMs);
  for (const e of sorted) await engine.process([e]);
  await engine.end();
  return seen;
}

/** Two hours of quiet history at 100, so baselines are warm. */
export function warmHistory(anonymous = false): Trade[] {
  return background(T0, T0 + 120 * MIN, 100, { anonymous });
}

export { MIN };
