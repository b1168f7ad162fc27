import type { Alert } from '../../domain/alert.js';
import type { MarketEvent, Side } from '../../domain/events.js';
import type { Config } from '../../config/config.js';
import { parseConfig } from '../../config/config.js';
import { Engine } from '../../engine/engine.js';
import type { DetectorFactory } from '../detector.js';

/**
 * Test builders for order-flow scenarios (spoofing, layering and their order book): a tape of
 * hand-written events, a background market maker, and a runner that feeds them through the engine.
 * Test support only; no detector imports this.
 */
export const T0 = Date.parse('2026-03-02T14:30:00Z');

/** Collects hand-built events; `events()` returns them in event-time order (stable for equal times). */
export class Tape {
  private readonly list: MarketEvent[] = [];
  private seq = 0;

  constructor(readonly symbol = 'XYZ') {}

  /** A new limit order. */
  add(tsMs: number, orderId: string, account: string, side: Side, price: number, qty: number): this {
    return this.order(tsMs, orderId, account, side, 'new', price, qty);
  }
  /** Cancels `qty` (the remaining size for a full cancel). */
  cancel(tsMs: number, orderId: string, account: string, side: Side, price: number, qty: number): this {
    return this.order(tsMs, orderId, account, side, 'cancel', price, qty);
  }
  /** A fill event of a resting order. */
  fill(tsMs: number, orderId: string, account: string, side: Side, price: number, qty: number): this {
    return this.order(tsMs, orderId, account, side, 'fill', price, qty);
  }
  /** A modify to a new price and size. */
  modify(tsMs: number, orderId: string, account: string, side: Side, price: number, qty: number): this {
    return this.order(tsMs, orderId, account, side, 'modify', price, qty);
  }
  /** An execution on the tape. */
  trade(tsMs: number, buyer: string, seller: string, price: number, qty: number, side?: Side): this {
    this.list.push({ type: 'trade', tsMs, symbol: this.symbol, price, qty, buyer, seller, tradeId: `t${++this.seq}`, side });
    return this;
  }

  /** The events sorted by time (insertion order among equal times). */
  events(): MarketEvent[] {
    return this.list
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.tsMs - b.e.tsMs || a.i - b.i)
      .map((x) => x.e);
  }

  private order(
    tsMs: number,
    orderId: string,
    account: string,
    side: Side,
    action: 'new' | 'modify' | 'cancel' | 'fill',
    price: number,
    qty: number,
  ): this {
    this.list.push({ type: 'order', tsMs, symbol: this.symbol, orderId, account, side, action, price, qty });
    return this;
  }
}

export interface MarketMakerOptions {
  readonly account: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly mid: number;
  readonly tick: number;
  /** Size of every quote. */
  readonly size: number;
  /** Price levels quoted on each side. */
  readonly levels: number;
  /** A new quote ladder every this often; the previous one is cancelled (high cancel rate). */
  readonly everyMs: number;
  /** Every n-th ladder gets its best bid or ask (alternating) hit by a taker. */
  readonly fillEvery: number;
}

/**
 * A legitimate market maker: quotes both sides at normal size, replaces its ladder every `everyMs`
 * (cancelling almost everything) and gets filled now and then, with a Trade and a fill event.
 */
export function marketMaker(tape: Tape, o: MarketMakerOptions): void {
  let n = 0;
  for (let ts = o.startMs; ts < o.endMs; ts += o.everyMs, n++) {
    const mid = o.mid + (n % 7 === 3 ? o.tick : n % 7 === 5 ? -o.tick : 0);
    const ids: { id: string; side: Side; price: number }[] = [];
    for (let l = 0; l < o.levels; l++) {
      for (const side of ['buy', 'sell'] as const) {
        const price = round(side === 'buy' ? mid - o.tick * (l + 1) : mid + o.tick * (l + 1));
        const id = `${o.account}-${n}-${side[0]}${l}`;
        tape.add(ts, id, o.account, side, price, o.size);
        ids.push({ id, side, price });
      }
    }
    let filled: string | undefined;
    if (o.fillEvery > 0 && n % o.fillEvery === 0) {
      const hit = ids[n % 2 === 0 ? 0 : 1]!; // best bid or best ask
      const at = ts + Math.floor(o.everyMs / 2);
      tape.trade(
        at,
        hit.side === 'buy' ? o.account : 'TAKER',
        hit.side === 'buy' ? 'TAKER' : o.account,
        hit.price,
        o.size,
        hit.side === 'buy' ? 'sell' : 'buy',
      );
      tape.fill(at, hit.id, o.account, hit.side, hit.price, o.size);
      filled = hit.id;
    }
    for (const q of ids) if (q.id !== filled) tape.cancel(ts + o.everyMs - 1, q.id, o.account, q.side, q.price, o.size);
  }
}

/** Default background: one market maker on XYZ around 100, 3 levels of 100 each side, a new ladder every second. */
export function background(tape: Tape, startMs: number, endMs: number, account = 'MM1'): void {
  marketMaker(tape, { account, startMs, endMs, mid: 100, tick: 0.01, size: 100, levels: 3, everyMs: 1_000, fillEvery: 5 });
}

/** Runs events through a one-detector engine and returns the final alerts and every alert update. */
export async function runDetector(
  factory: DetectorFactory,
  events: readonly MarketEvent[],
  config: Config = parseConfig({}),
): Promise<{ alerts: Alert[]; updates: Alert[] }> {
  const latest = new Map<string, Alert>();
  const updates: Alert[] = [];
  const engine = new Engine([factory], config, {
    write(alerts) {
      for (const a of alerts) {
        latest.set(a.alert_id, a);
        updates.push(a);
      }
    },
  });
  // Several batches, as a source would deliver them, so flushes happen mid-stream too.
  for (let i = 0; i < events.length; i += 500) await engine.process(events.slice(i, i + 500));
  await engine.end();
  return { alerts: [...latest.values()], updates };
}

/** A metric's value from an alert's evidence (undefined when absent). */
export function metric(a: Alert, name: string): number | undefined {
  return a.evidence.metrics.find((m) => m.name === name)?.value;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
