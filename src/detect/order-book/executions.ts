import type { EpochMs, OrderEvent, Side, Trade } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';
import { DeadlineQueue, visitDue } from '../window/deadline-queue.js';

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
  readonly symbol: string;
  readonly account: string;
  readonly list: Execution[];
  /** Its oldest execution's time when queued (Infinity while not queued). */
  due: number;
}

/**
 * Recent executions of each (symbol, account), kept for `horizonMs` of event time. Keyed symbol →
 * account (ingestion interns both, so no key string is built per execution). Expiry pops the keys
 * whose oldest execution is past the horizon from a deadline queue (not every key every tick).
 */
export class ExecutionLog {
  private readonly bySymbol = new Map<string, Map<string, Recent>>();
  private readonly expiry = new DeadlineQueue<Recent>();

  constructor(private readonly horizonMs: number) {}

  /** Records the executions a trade implies for its buyer and seller; returns those that are new (not merged). */
  fromTrade(t: Trade): Execution[] {
    const out: Execution[] = [];
    const buy = this.fromTradeSide(t, 'buy');
    const sell = this.fromTradeSide(t, 'sell');
    if (buy) out.push(buy);
    if (sell) out.push(sell);
    return out;
  }

  /**
   * Records the execution a trade implies for its buyer (`buy`) or seller (`sell`); undefined when
   * that side has no account or the execution merged into one already recorded.
   */
  fromTradeSide(t: Trade, side: Side): Execution | undefined {
    const account = side === 'buy' ? t.buyer : t.seller;
    if (account === '') return undefined;
    return this.add(t.symbol, account, t.tsMs, side, t.qty, t.price, 'trade', t.tradeId);
  }

  /** Records the execution a fill event implies; undefined when it merged into one already recorded. */
  fromFill(e: OrderEvent): Execution | undefined {
    if (e.account === '' || e.action !== 'fill') return undefined;
    return this.add(e.symbol, e.account, e.tsMs, e.side, e.qty, e.price, 'fill', e.orderId);
  }

  /** The account's executions in the symbol within the horizon, oldest first. */
  recent(symbol: string, account: string): readonly Execution[] {
    return this.bySymbol.get(symbol)?.get(account)?.list ?? NONE;
  }

  /** Forgets executions older than the horizon. */
  expire(nowMs: EpochMs): void {
    const cutoff = nowMs - this.horizonMs;
    visitDue(this.expiry, cutoff, (r) => {
      const list = r.list;
      let i = 0;
      while (i < list.length && list[i]!.tsMs < cutoff) i++;
      if (i === list.length) {
        const accounts = this.bySymbol.get(r.symbol)!;
        accounts.delete(r.account);
        if (accounts.size === 0) this.bySymbol.delete(r.symbol);
        return;
      }
      if (i > 0) list.splice(0, i);
      this.schedule(r);
    });
  }

  /** Queues `r` under its oldest execution's time (which only moves later, but for out-of-order events). */
  private schedule(r: Recent): void {
    r.due = r.list[0]!.tsMs;
    this.expiry.push(r.due, r);
  }

  /** Adds to the account's execution of the same instant and side, or records a new one (returned). */
  private add(
    symbol: string,
    account: string,
    tsMs: EpochMs,
    side: Side,
    qty: number,
    price: number,
    source: 'trade' | 'fill',
    id: string,
  ): Execution | undefined {
    let accounts = this.bySymbol.get(symbol);
    if (!accounts) {
      accounts = new Map();
      this.bySymbol.set(symbol, accounts);
    }
    const r = accounts.get(account);
    const list = r?.list ?? NONE;
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
      return undefined;
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
    if (!r) {
      // Most (symbol, account) pairs see one execution within the horizon: a list of exactly one.
      const fresh: Recent = { symbol, account, list: [exec], due: Infinity };
      accounts.set(account, fresh);
      this.schedule(fresh);
      return exec;
    }
    r.list.push(exec);
    // A very active account within the horizon: keep the list bounded.
    if (r.list.length > 4096) r.list.splice(0, r.list.length - 4096);
    if (r.list[0]!.tsMs < r.due) this.schedule(r);
    return exec;
  }
}
stateClass(ExecutionLog, 'order-book.ExecutionLog');

const NONE: readonly Execution[] = [];
