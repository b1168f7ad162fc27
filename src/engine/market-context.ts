import type { Alert } from '../domain/alert.js';
import type { MarketEvent, OrderEvent, Trade } from '../domain/events.js';
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

interface SymbolRing {
  readonly symbol: string;
  /** Grows to `perSymbol` entries, then is overwritten oldest-first (slot `tradeNext`). */
  trades: Trade[];
  tradeNext: number;
  orders: OrderEvent[];
  orderNext: number;
  lastTsMs: number;
  /** `sweeps` when this ring was last recorded into: only later sweeps can have found it idle. */
  recordedAtSweep: number;
  /** lastTsMs when (re)queued for reclaiming. */
  queuedTs: number;
}

export interface MarketContextOptions {
  /** Recent trades and order events kept per symbol. */
  readonly perSymbol?: number;
  /** Context trades attached to an alert at most (evidence events always come first). */
  readonly maxEvents?: number;
}

/**
 * Keeps each symbol's most recent trades and order events (two rings of references, no copies),
 * so an alert can carry the market around it: the evidence events themselves and the trades of its
 * window, for the analyst's chart. Bounded: rings hold at most `perSymbol` events each and symbols
 * idle for an hour of event time are dropped.
 *
 * Memory per symbol follows its activity: a ring grows to its cap as events arrive instead of
 * being allocated at full size (2 × 256 slots, 4 kB, for a symbol that trades twice). Idle expiry
 * does not walk every symbol each tick: a ring counts as dropped as soon as a sweep finds it idle
 * (checked when it is next used), and a queue in order of last activity frees the memory.
 */
export class MarketContext {
  private readonly rings = new Map<string, SymbolRing>();
  private readonly perSymbol: number;
  private readonly maxEvents: number;
  /** Rings roughly in order of last activity, each once; [queueHead, length) is live. */
  private queue: SymbolRing[] = [];
  private queueHead = 0;
  /** Number of `expire` calls so far, and the arguments of the latest one. */
  private sweeps = 0;
  private sweepNowMs = -Infinity;
  private sweepIdleMs = Infinity;

  constructor(options: MarketContextOptions = {}) {
    this.perSymbol = options.perSymbol ?? 256;
    this.maxEvents = options.maxEvents ?? 300;
  }

  /** Remembers one event (hot path: a map lookup and an array store). */
  record(e: MarketEvent): void {
    if (e.type === 'quote') return;
    let r = this.rings.get(e.symbol);
    if (r === undefined || this.dropped(r)) {
      r = {
        symbol: e.symbol,
        trades: [],
        tradeNext: 0,
        orders: [],
        orderNext: 0,
        lastTsMs: e.tsMs,
        recordedAtSweep: this.sweeps,
        queuedTs: e.tsMs,
      };
      this.rings.set(e.symbol, r);
      this.queue.push(r);
    }
    r.lastTsMs = e.tsMs;
    r.recordedAtSweep = this.sweeps;
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
    ring.push(e);
    // Full: an exact-size copy, so the growth slack of the pushes is not kept for the ring's lifetime.
    return ring.length === this.perSymbol ? ring.slice() : ring;
  }

  /**
   * Whether an `expire` call since the ring was last recorded into found it idle (and so dropped
   * it). With non-decreasing sweep times and one idle limit (as the engine calls it), the latest
   * sweep is the one to ask: if it did not find the ring idle, no earlier one did.
   */
  private dropped(r: SymbolRing): boolean {
    return this.sweeps > r.recordedAtSweep && this.sweepNowMs - r.lastTsMs > this.sweepIdleMs;
  }

  /** Drops symbols idle for longer than `idleMs` of event time. Call with non-decreasing `nowMs`. */
  expire(nowMs: number, idleMs = 3_600_000): void {
    this.sweeps++;
    this.sweepNowMs = nowMs;
    this.sweepIdleMs = idleMs;
    // Frees the memory of dropped rings; only rings queued more than idleMs ago can be.
    const q = this.queue;
    while (this.queueHead < q.length && nowMs - q[this.queueHead]!.queuedTs > idleMs) {
      const r = q[this.queueHead++]!;
      if (this.rings.get(r.symbol) !== r) continue; // replaced after being dropped
      if (this.dropped(r)) this.rings.delete(r.symbol);
      else {
        r.queuedTs = r.lastTsMs;
        q.push(r);
      }
    }
    if (this.queueHead > 4096 && this.queueHead * 2 > q.length) {
      this.queue = q.slice(this.queueHead);
      this.queueHead = 0;
    }
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
      if (!r || this.dropped(r)) continue;
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
