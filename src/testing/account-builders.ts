/** Builders for account-level detector tests (wash trading, concentration, timing): trades, fills, a seeded rng, a runner. */
import type { Alert } from '../domain/alert.js';
import type { MarketEvent, OrderEvent, Side, Trade } from '../domain/events.js';
import { parseConfig } from '../config/config.js';
import { Engine } from '../engine/engine.js';
import type { DetectorFactory } from '../detect/detector.js';

let seq = 0;

/** A trade for tests: time, buyer, seller, qty, price (symbol X unless given). */
export function trade(tsMs: number, buyer: string, seller: string, qty: number, price: number, extra: Partial<Trade> = {}): Trade {
  return { type: 'trade', tsMs, symbol: 'X', price, qty, buyer, seller, tradeId: `t${++seq}`, ...extra };
}

/** A fill event for tests. */
export function fill(tsMs: number, account: string, side: Side, qty: number, price: number, orderId: string, symbol = 'X'): OrderEvent {
  return { type: 'order', tsMs, symbol, orderId, account, side, action: 'fill', price, qty };
}

/** Runs events through an engine with one detector; returns the final version of each alert and the number of writes. */
export async function run(
  factory: DetectorFactory,
  events: readonly MarketEvent[],
  config: unknown = {},
): Promise<{ alerts: Alert[]; writes: number }> {
  const latest = new Map<string, Alert>();
  let writes = 0;
  const engine = new Engine([factory], parseConfig(config), {
    write(alerts) {
      for (const a of alerts) {
        latest.set(a.alert_id, a);
        writes++;
      }
    },
  });
  const sorted = [...events].sort((a, b) => a.tsMs - b.tsMs);
  // Batches of one second of event time, as sources deliver them, so episode updates are visible as writes.
  let batch: MarketEvent[] = [];
  for (const e of sorted) {
    if (batch.length > 0 && Math.floor(e.tsMs / 1000) !== Math.floor(batch[0]!.tsMs / 1000)) {
      await engine.process(batch);
      batch = [];
    }
    batch.push(e);
  }
  await engine.process(batch);
  await engine.end();
  return { alerts: [...latest.values()], writes };
}

/** A metric's value from an alert's evidence. */
export function metric(a: Alert, name: string): number | undefined {
  return a.evidence.metrics.find((m) => m.name === name)?.value;
}

/** Deterministic pseudo-random numbers (mulberry32) for background traffic. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
