import type { Alert } from '../domain/alert.js';
import type { MarketEvent } from '../domain/events.js';
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

/** Rings of up to this many events grow by exact-size copies (a push reserves 17 slots; most of 100k thin symbols hold a few events). */
const EXACT_UP_TO = 16;
/** The rings of a symbol without trades or orders yet: shared, never written (`store` copies a short ring). */
const EMPTY: never[] = [];
/** Columns per event: numbers [time, price, qty]; strings [trade id, side, buyer, seller] or [order id, side, action, account]. */
const NUMS = 3;
const STRS = 4;

/**
 * One symbol's recent events as columns, not the event objects: an event object with its boxed
 * time and price is ~130 bytes, its columns 56 (the strings are shared either way), and events
 * referenced only here can die young instead of being promoted and collected from the old space.
 */
interface SymbolRing {
  readonly symbol: string;
  /** Grow to `perSymbol` events, then are overwritten oldest-first (slot `tradeNext`). */
  tradeNums: number[];
  tradeStrs: (string | undefined)[];
  tradeNext: number;
  orderNums: number[];
  orderStrs: (string | undefined)[];
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
 * Keeps each symbol's most recent trades and order events (two rings of their fields, as columns),
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
      r = {
        symbol: e.symbol,
        tradeNums: EMPTY,
        tradeStrs: EMPTY,
        tradeNext: 0,
        orderNums: EMPTY,
        orderStrs: EMPTY,
        orderNext: 0,
        lastTsMs: e.tsMs,
        due: e.tsMs + this.idleMs,
      };
      this.rings.set(e.symbol, r);
      this.idle.push(r.due, e.symbol);
    }
    r.lastTsMs = e.tsMs;
    if (e.type === 'trade') {
      r.tradeNums = this.store(r.tradeNums, r.tradeNext, [e.tsMs, e.price, e.qty]);
      r.tradeStrs = this.store(r.tradeStrs, r.tradeNext, [e.tradeId, e.side, e.buyer, e.seller]);
      r.tradeNext = (r.tradeNext + 1) % this.perSymbol;
    } else {
      r.orderNums = this.store(r.orderNums, r.orderNext, [e.tsMs, e.price, e.qty]);
      r.orderStrs = this.store(r.orderStrs, r.orderNext, [e.orderId, e.side, e.action, e.account]);
      r.orderNext = (r.orderNext + 1) % this.perSymbol;
    }
  }

  /**
   * Puts one event's `values` (its columns) in slot `next` of a ring (the slots a preallocated ring
   * would use: until full, the next slot is the end); returns the ring.
   */
  private store<T>(ring: T[], next: number, values: readonly T[]): T[] {
    const width = values.length;
    if (ring.length === this.perSymbol * width) {
      for (let i = 0; i < width; i++) ring[next * width + i] = values[i]!;
      return ring;
    }
    if (ring.length < EXACT_UP_TO * width) return ring.concat(values);
    ring.push(...values);
    // Full: an exact-size copy, so the growth slack of the pushes is not kept for the ring's lifetime.
    return ring.length === this.perSymbol * width ? ring.slice() : ring;
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
      const tn = r.tradeNums;
      const ts = r.tradeStrs;
      for (let i = 0; i < tn.length / NUMS; i++) {
        const id = ts[i * STRS]!;
        const tsMs = tn[i * NUMS]!;
        const isEvidence = tradeIds.has(id);
        if (!isEvidence && (tsMs < from - margin || tsMs > to + margin)) continue;
        (isEvidence ? evidence : context).push({
          ts: tsMs,
          kind: 'trade',
          id,
          price: tn[i * NUMS + 1]!,
          qty: tn[i * NUMS + 2]!,
          side: ts[i * STRS + 1],
          buyer: ts[i * STRS + 2] || undefined,
          seller: ts[i * STRS + 3] || undefined,
          evidence: isEvidence,
        });
      }
      const on = r.orderNums;
      const os = r.orderStrs;
      for (let i = 0; i < on.length / NUMS; i++) {
        const id = os[i * STRS]!;
        if (!orderIds.has(id)) continue;
        evidence.push({
          ts: on[i * NUMS]!,
          kind: 'order',
          id,
          price: on[i * NUMS + 1]!,
          qty: on[i * NUMS + 2]!,
          side: os[i * STRS + 1],
          action: os[i * STRS + 2],
          account: os[i * STRS + 3] || undefined,
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
