import type { Alert } from '../domain/alert.js';
import type { MarketEvent, OrderEvent, Trade } from '../domain/events.js';
import { DeadlineQueue, forgetIdle } from '../detect/window/deadline-queue.js';
import { stateClass } from './snapshot.js';

/** One event as stored with an alert (`evidence.details.events`): enough to chart and explain it. */
export interface EvidenceEvent {
  readonly ts: number;
  readonly kind: 'trade' | 'order';
  readonly id: string;
  readonly price: number;
  readonly qty: number;
  readonly side?: string | undefined;
  readonly action?: string | undefined;
  readonly account?: string | undefined;
  readonly buyer?: string | undefined;
  readonly seller?: string | undefined;
  /** True for the events the detector named as evidence; false for surrounding market context. */
  readonly evidence: boolean;
}

/** Rings up to this long grow by exact-size copies (a push reserves 17 slots; most of 100k thin symbols hold a few events). */
const EXACT_UP_TO = 16;
/** The rings of a symbol without trades or orders yet: shared, never written (`store` copies a short ring). */
const EMPTY: never[] = [];

interface SymbolRing {
  readonly symbol: string;
  /** Grows to `perSymbol` entries, then is overwritten oldest-first (slot `tradeNext`). */
  trades: Trade[];
  tradeNext: number;
  orders: OrderEvent[];
  orderNext: number;
  lastTsMs: number;
  /** The deadline this ring is queued under for idle expiry. */
  due: number;
}

export interface MarketContextOptions {
  /** Recent trades and order events kept per symbol. */
  readonly perSymbol?: number;
  /** Context trades attached to an alert at most (evidence events always come first). */
  readonly maxEvents?: number;
  /** A symbol without events for longer than this (event time) is dropped. */
  readonly idleMs?: number;
}

/**
 * Keeps each symbol's most recent trades and order events (two rings of references, no copies),
 * so an alert can carry the market around it: the evidence events themselves and the trades of its
 * window, for the analyst's chart. Bounded: rings hold at most `perSymbol` events each and symbols
 * idle for an hour of event time are dropped.
 *
 * Memory per symbol follows its activity: a ring grows to its cap as events arrive instead of
 * being allocated at full size (2 × 256 slots, 4 kB, for a symbol that trades twice), and while
 * short it is an exact-size array (a symbol without orders shares one empty ring). Idle expiry
 * does not walk every symbol each tick: rings wait in a deadline queue (`forgetIdle`).
 */
export class MarketContext {
  private readonly rings = new Map<string, SymbolRing>();
  private readonly perSymbol: number;
  private readonly maxEvents: number;
  private readonly idleMs: number;
  private readonly idle = new DeadlineQueue<string>();

  constructor(options: MarketContextOptions = {}) {
    this.perSymbol = options.perSymbol ?? 256;
    this.maxEvents = options.maxEvents ?? 300;
    this.idleMs = options.idleMs ?? 3_600_000;
  }

  /** Remembers one event (hot path: a map lookup and an array store). */
  record(e: MarketEvent): void {
    if (e.type === 'quote') return;
    let r = this.rings.get(e.symbol);
    if (r === undefined) {
      r = { symbol: e.symbol, trades: EMPTY, tradeNext: 0, orders: EMPTY, orderNext: 0, lastTsMs: e.tsMs, due: e.tsMs + this.idleMs };
      this.rings.set(e.symbol, r);
      this.idle.push(r.due, e.symbol);
    }
    r.lastTsMs = e.tsMs;
    if (e.type === 'trade') {
      r.trades = this.store(r.trades, r.tradeNext, e);
      r.tradeNext = (r.tradeNext + 1) % this.perSymbol;
    } else {
      r.orders = this.store(r.orders, r.orderNext, e);
      r.orderNext = (r.orderNext + 1) % this.perSymbol;
    }
  }

  /** Puts `e` in slot `next` of a ring (the same slots a preallocated ring would use); returns the ring. */
  private store<T>(ring: T[], next: number, e: T): T[] {
    if (ring.length === this.perSymbol) {
      ring[next] = e;
      return ring;
    }
    if (ring.length < EXACT_UP_TO) return ring.concat([e]);
    ring.push(e);
    // Full: an exact-size copy, so the growth slack of the pushes is not kept for the ring's lifetime.
    return ring.length === this.perSymbol ? ring.slice() : ring;
  }

  /** Drops symbols idle for longer than `idleMs` of event time. Call with non-decreasing `nowMs`. */
  expire(nowMs: number): void {
    forgetIdle(this.idle, this.rings, nowMs, this.idleMs);
  }

  /** The alert with `evidence.details.events` filled from what the rings still hold. */
  enrich(alert: Alert): Alert {
    const tradeIds = new Set(alert.evidence.tradeIds);
    const orderIds = new Set(alert.evidence.orderIds);
    const from = Date.parse(alert.window_start);
    const to = Date.parse(alert.window_end);
    const margin = Math.max(60_000, (to - from) * 0.2);
    const evidence: EvidenceEvent[] = [];
    const context: EvidenceEvent[] = [];
    for (const symbol of alert.affected_symbols) {
      const r = this.rings.get(symbol);
      if (!r) continue;
      for (const t of r.trades) {
        const isEvidence = tradeIds.has(t.tradeId);
        if (!isEvidence && (t.tsMs < from - margin || t.tsMs > to + margin)) continue;
        (isEvidence ? evidence : context).push({
          ts: t.tsMs,
          kind: 'trade',
          id: t.tradeId,
          price: t.price,
          qty: t.qty,
          side: t.side,
          buyer: t.buyer || undefined,
          seller: t.seller || undefined,
          evidence: isEvidence,
        });
      }
      for (const o of r.orders) {
        if (!orderIds.has(o.orderId)) continue;
        evidence.push({
          ts: o.tsMs,
          kind: 'order',
          id: o.orderId,
          price: o.price,
          qty: o.qty,
          side: o.side,
          action: o.action,
          account: o.account || undefined,
          evidence: true,
        });
      }
    }
    if (evidence.length === 0 && context.length === 0) return alert;
    // Downsample the context evenly so a busy window still fits in one alert.
    const room = Math.max(0, this.maxEvents - evidence.length);
    const step = context.length > room && room > 0 ? context.length / room : 1;
    const sampled: EvidenceEvent[] = [];
    if (room > 0) for (let i = 0; i < context.length && sampled.length < room; i += step) sampled.push(context[Math.floor(i)]!);
    const events = [...evidence.slice(0, Math.max(this.maxEvents, 1000)), ...sampled].sort((a, b) => a.ts - b.ts);
    return { ...alert, evidence: { ...alert.evidence, details: { ...alert.evidence.details, events } } };
  }
}

stateClass(MarketContext);
