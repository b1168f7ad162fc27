import type { Side } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';
import { DeadlineQueue } from '../window/deadline-queue.js';

/** One symbol's recent `new` orders (account, side, time) as columns in arrival order. */
class SymbolNews {
  head = 0;
  readonly account: string[] = [];
  readonly buy: boolean[] = [];
  readonly tsMs: number[] = [];
  /** The front's time when queued for expiry (Infinity while not queued). */
  due = Infinity;

  constructor(readonly symbol: string) {}

  get size(): number {
    return this.tsMs.length - this.head;
  }
}
stateClass(SymbolNews, 'layering.SymbolNews');

/**
 * The times of recent `new` orders, for layering's requote test ("did the account place a new
 * order on the layer side within layering_requote_ms after a layer's cancel?"). That test is run
 * for few cycles, and most `new` orders are never asked about, so they are appended to their
 * symbol's columns (no per-account record, key or queue entry per order) and only a test scans
 * them. Kept `keepMs` of event time: each symbol's columns lose, at a tick, their front entries
 * older than that.
 */
export class NewsLog {
  private readonly bySymbol = new Map<string, SymbolNews>();
  /** Symbols with news, by their oldest entry's time when queued. */
  private readonly expiry = new DeadlineQueue<SymbolNews>();

  constructor(private readonly keepMs: number) {}

  add(symbol: string, account: string, side: Side, tsMs: number): void {
    let n = this.bySymbol.get(symbol);
    if (!n) {
      n = new SymbolNews(symbol);
      this.bySymbol.set(symbol, n);
    }
    n.account.push(account);
    n.buy.push(side === 'buy');
    n.tsMs.push(tsMs);
    if (n.due === Infinity) {
      n.due = n.tsMs[n.head]!;
      this.expiry.push(n.due, n);
    }
  }

  /** Whether the account placed a `new` order on `side` in the symbol at `fromMs` or at most `withinMs` after. */
  placedWithin(symbol: string, account: string, side: Side, fromMs: number, withinMs: number): boolean {
    const n = this.bySymbol.get(symbol);
    if (!n) return false;
    const buy = side === 'buy';
    for (let i = n.head; i < n.tsMs.length; i++) {
      const ts = n.tsMs[i]!;
      if (ts >= fromMs && ts - fromMs <= withinMs && n.account[i] === account && n.buy[i] === buy) return true;
    }
    return false;
  }

  /** Forgets, per symbol, the front entries older than `keepMs` before `nowMs`. */
  expire(nowMs: number): void {
    const cutoff = nowMs - this.keepMs;
    while (this.expiry.peek() < cutoff) {
      const n = this.expiry.pop()!;
      n.due = Infinity;
      let i = n.head;
      const end = n.tsMs.length;
      while (i < end && n.tsMs[i]! < cutoff) i++;
      if (i === end) {
        this.bySymbol.delete(n.symbol);
        continue;
      }
      n.head = i;
      if (i >= 1024 && 2 * i >= end) compact(n);
      n.due = n.tsMs[n.head]!;
      this.expiry.push(n.due, n);
    }
  }
}
stateClass(NewsLog, 'layering.NewsLog');

function compact(n: SymbolNews): void {
  const h = n.head;
  const len = n.tsMs.length - h;
  // Plain loops: Array.prototype.copyWithin takes a slow generic path on JS arrays.
  for (let i = 0; i < len; i++) {
    n.account[i] = n.account[i + h]!;
    n.buy[i] = n.buy[i + h]!;
    n.tsMs[i] = n.tsMs[i + h]!;
  }
  n.account.length = len;
  n.buy.length = len;
  n.tsMs.length = len;
  n.head = 0;
}
