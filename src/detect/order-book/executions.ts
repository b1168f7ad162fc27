import type { EpochMs, OrderEvent, Side, Trade } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';
import { DeadlineQueue } from './deadline-queue.js';

/**
 * One execution of an account on one side at one instant. Venue data often reports the same
 * execution twice — as a Trade (buyer, seller) and as `fill` events of the orders involved — and an
 * aggressive order that sweeps several levels may show as several trades but one fill. So an
 * account's executions are grouped by (event time, side) and the quantity is the larger of what the
 * trades and what the fills say: either source alone, or both together, count once.
 */
export interface Execution {
  readonly tsMs: EpochMs;
  readonly side: Side;
  tradeQty: number;
  fillQty: number;
  tradeNotional: number;
  fillNotional: number;
  readonly tradeIds: string[];
  readonly orderIds: string[];
}

/** The executed quantity, counted once whichever sources reported it. */
export function execQty(x: Execution): number {
  return Math.max(x.tradeQty, x.fillQty);
}

/** Volume-weighted price of the source that reported the larger quantity. */
export function execPrice(x: Execution): number {
  return x.tradeQty >= x.fillQty ? x.tradeNotional / x.tradeQty : x.fillNotional / x.fillQty;
}

/** One (symbol, account)'s executions, oldest first, and the time it is queued for expiry under. */
interface Recent {
  readonly key: string;
  readonly list: Execution[];
  /** Its oldest execution's time when queued (Infinity while not queued). */
  dueBase: number;
}

/**
 * Recent executions of each (symbol, account), kept for `horizonMs` of event time. Expiry pops the
 * keys whose oldest execution is past the horizon from a deadline queue (not every key every tick).
 */
export class ExecutionLog {
  private readonly byKey = new Map<string, Recent>();
  private readonly expiry = new DeadlineQueue<Recent>();

  constructor(private readonly horizonMs: number) {}

  /** Records the executions a trade implies for its buyer and seller; returns those that are new (not merged). */
  fromTrade(t: Trade): Execution[] {
    const out: Execution[] = [];
    if (t.buyer !== '') {
      const r = this.add(t.symbol, t.buyer, t.tsMs, 'buy', t.qty, t.price, 'trade', t.tradeId);
      if (r.isNew) out.push(r.exec);
    }
    if (t.seller !== '') {
      const r = this.add(t.symbol, t.seller, t.tsMs, 'sell', t.qty, t.price, 'trade', t.tradeId);
      if (r.isNew) out.push(r.exec);
    }
    return out;
  }

  /** Records the execution a fill event implies; undefined when it merged into one already recorded. */
  fromFill(e: OrderEvent): Execution | undefined {
    if (e.account === '' || e.action !== 'fill') return undefined;
    const r = this.add(e.symbol, e.account, e.tsMs, e.side, e.qty, e.price, 'fill', e.orderId);
    return r.isNew ? r.exec : undefined;
  }

  /** The account's executions in the symbol within the horizon, oldest first. */
  recent(symbol: string, account: string): readonly Execution[] {
    return this.byKey.get(key(symbol, account))?.list ?? NONE;
  }

  /** Forgets executions older than the horizon. */
  expire(nowMs: EpochMs): void {
    const cutoff = nowMs - this.horizonMs;
    for (const { time, item: r } of this.expiry.takeDue((t) => t < cutoff)) {
      if (time !== r.dueBase || this.byKey.get(r.key) !== r) continue; // superseded entry
      r.dueBase = Infinity;
      const list = r.list;
      let i = 0;
      while (i < list.length && list[i]!.tsMs < cutoff) i++;
      if (i === list.length) {
        this.byKey.delete(r.key);
        continue;
      }
      if (i > 0) list.splice(0, i);
      this.schedule(r);
    }
  }

  /** Queues `r` under its oldest execution's time (which only moves later, but for out-of-order events). */
  private schedule(r: Recent): void {
    r.dueBase = r.list[0]!.tsMs;
    this.expiry.push(r.dueBase, r);
  }

  private add(
    symbol: string,
    account: string,
    tsMs: EpochMs,
    side: Side,
    qty: number,
    price: number,
    source: 'trade' | 'fill',
    id: string,
  ): { exec: Execution; isNew: boolean } {
    const k = key(symbol, account);
    let r = this.byKey.get(k);
    if (!r) {
      r = { key: k, list: [], dueBase: Infinity };
      this.byKey.set(k, r);
    }
    const list = r.list;
    // Executions of the same instant sit at the end of the list (events arrive in time order).
    for (let i = list.length - 1; i >= 0 && list[i]!.tsMs === tsMs; i--) {
      const x = list[i]!;
      if (x.side !== side) continue;
      if (source === 'trade') {
        x.tradeQty += qty;
        x.tradeNotional += qty * price;
        x.tradeIds.push(id);
      } else {
        x.fillQty += qty;
        x.fillNotional += qty * price;
        if (!x.orderIds.includes(id)) x.orderIds.push(id);
      }
      return { exec: x, isNew: false };
    }
    const exec: Execution = {
      tsMs,
      side,
      tradeQty: source === 'trade' ? qty : 0,
      fillQty: source === 'fill' ? qty : 0,
      tradeNotional: source === 'trade' ? qty * price : 0,
      fillNotional: source === 'fill' ? qty * price : 0,
      tradeIds: source === 'trade' ? [id] : [],
      orderIds: source === 'fill' ? [id] : [],
    };
    list.push(exec);
    // A very active account within the horizon: keep the list bounded.
    if (list.length > 4096) list.splice(0, list.length - 4096);
    if (list[0]!.tsMs < r.dueBase) this.schedule(r);
    return { exec, isNew: true };
  }
}

stateClass(ExecutionLog, 'order-book.ExecutionLog');

const NONE: readonly Execution[] = [];

function key(symbol: string, account: string): string {
  return `${symbol}\u0000${account}`;
}
