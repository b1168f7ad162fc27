import type { Alert } from '../domain/alert.js';
import type { MarketEvent, OrderAction, OrderEvent, Side, Trade } from '../domain/events.js';
import { decimalExponent, POW10, scaled, unscaled, WIDE } from './decimal-int.js';
import { grown } from './grown.js';
import { numberFrom, numberStart } from './numbered-id.js';
import { stateClass } from './snapshot.js';
import { StringIds } from './string-ids.js';

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

/** Events per chunk: a ring is a chain of chunks, so a thin symbol holds at most 3 unused slots. */
const CHUNK = 4;
/**
 * Columns per event: its time (`timePages`) and integers [tag, id number, price, qty, party, party]
 * (`intPages`). Price and qty are decimal integers (`decimal-int.ts`), the id number an integer below
 * 2^31; a value that does not fit is kept in `widePages` [price, qty, id number]. The parties are
 * `accounts` ids (NO_PARTY for ''), buyer and seller of a trade or the account of an order. The tag
 * holds, from the low bits: the side, the action (orders), the exponents of price and qty, whether
 * the id number is wide, and the id's prefix (`prefixes` id, or STRING_ID when the id is kept whole
 * in `idPages`).
 */
const INTS = 6;
const ID = 1;
const PRICE = 2;
const QTY = 3;
const PARTY = 4;
const OTHER_PARTY = 5;
/** `widePages` columns. */
const WIDE_COLUMNS = 3;
const WIDE_ID = 2;
const TAG_ACTION_SHIFT = 2;
const TAG_PRICE_SHIFT = 4;
const TAG_QTY_SHIFT = 8;
const TAG_WIDE_ID = 1 << 12;
const TAG_PREFIX_SHIFT = 13;
const TAG_SIDE_MASK = 3;
const TAG_EXPONENT_MASK = 15;
const STRING_ID = -1;
const NO_PARTY = -1;
/** Prefix ids that fit the tag; beyond this many distinct prefixes held, ids are kept as strings. */
const PREFIX_LIMIT = 1 << 18;
const SIDES: readonly (Side | undefined)[] = [undefined, 'buy', 'sell'];
const ACTIONS: readonly OrderAction[] = ['new', 'modify', 'cancel', 'fill'];
/** Per-slot integer fields (`slotInts`): the idle list links, then each ring's position. */
const PREV = 0;
const NEXT = 1;
/** A ring's fields, at `TRADES` or `ORDERS` + one of: */
const HEAD = 0; // first chunk (-1: none yet)
const HEAD_AT = 1; // offset of the oldest event in it
const TAIL = 2; // last chunk
const COUNT = 3; // events held (≤ perSymbol)
const WRITTEN = 4; // events ever written, modulo perSymbol (the slot a flat ring would write next)
const TRADES = 2;
const ORDERS = 7;
/** Both rings' field offsets, for what is done to each. */
const RINGS = [TRADES, ORDERS] as const;
const SLOT_INTS = 12;
const NONE = -1;
const PAGE_BITS = 12;
const PAGE_EVENTS = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_EVENTS - 1;

export interface MarketContextOptions {
  /** Recent trades and order events kept per symbol. */
  readonly perSymbol?: number;
  /** Context trades attached to an alert at most (evidence events always come first). */
  readonly maxEvents?: number;
  /** A symbol without events for longer than this (event time) is dropped. */
  readonly idleMs?: number;
  /**
   * Events held across all symbols at most (room, counted in chunks: a thin symbol's chunk counts
   * whole); past it, sweeps drop the symbols quiet the longest. 0 or absent: no limit.
   */
  readonly maxHeld?: number;
}

/**
 * Keeps each symbol's most recent trades and order events (at most `perSymbol` of each), so an alert
 * can carry the market around it: the evidence events themselves and the trades of its window, for
 * the analyst's chart. Symbols idle for an hour of event time are dropped, and so, while more than
 * `maxHeld` events are held in all, are the symbols quiet the longest: with 100k symbols a file of 20
 * trades a symbol was held whole (64 MB of columns), and memory would follow the universe, not a window.
 *
 * Layout, for memory and GC at 100k symbols: no object or array per symbol or per event. Events are
 * columns in shared pools (typed arrays, so a collection has no pointers to trace) cut into chunks of
 * `CHUNK` events; a symbol's ring is a chain of chunks (`chunkNext`), taking a chunk from the free
 * list as it grows and giving its oldest back as it wraps, so a thin symbol costs one chunk and a
 * busy one `perSymbol` events, and nothing is copied as rings grow. (Per-symbol arrays grown by
 * copies made old-space garbage at every step: the 100k-symbol file peaked at 640 MB RSS for 145 MB
 * live.) Strings become integers: accounts and the prefixes of numbered ids (`numbered-id.ts`) are
 * ids in reference-counted tables, the numbers of ids a column, prices and quantities decimal
 * integers (an event is 32 bytes; it was 80 and a kept trade id string). Symbols are slots (their `symbols` id) with integer
 * fields; idle expiry keeps them in a list ordered by their latest event time, so a sweep pops only
 * the idle ones from its head and an event moves its symbol to the tail (events come in time order
 * up to the reorder window; a late one walks back).
 */
export class MarketContext {
  private readonly perSymbol: number;
  private readonly maxEvents: number;
  private readonly idleMs: number;
  /** Symbol → slot. */
  private readonly symbols = new StringIds();
  private readonly accounts = new StringIds();
  /** Prefixes of numbered ids ("T" of "T1999999"). */
  private readonly prefixes = new StringIds();
  private slotLast = new Float64Array(64);
  private slotInts = new Int32Array(64 * SLOT_INTS);
  /** Idle list: slots by latest event time, oldest first. */
  private idleHead = NONE;
  private idleTail = NONE;
  /** Event columns in pages of `PAGE_EVENTS` (growing never copies them): position p is page p >>> PAGE_BITS. */
  private readonly timePages: Float64Array[] = [];
  private readonly intPages: Int32Array[] = [];
  /** Values that do not fit `intPages`, per page [price, qty, id number]; made by the first one. */
  private readonly widePages: (Float64Array | undefined)[] = [];
  /** Ids that are not numbered, per page; a page's array is made by its first such id. */
  private readonly idPages: ((string | undefined)[] | undefined)[] = [];
  /** The exponents of the last price and qty kept as decimal integers (tried first: a column's values mostly share one). */
  private priceExponent = 0;
  private qtyExponent = 0;
  private chunkNext = new Int32Array(256);
  private chunks = 0;
  private freeChunk = NONE;
  /** Chunks in rings (not free), and the most a sweep leaves (0: no limit). */
  private chunksHeld = 0;
  private readonly maxChunks: number;

  constructor(options: MarketContextOptions = {}) {
    this.perSymbol = options.perSymbol ?? 256;
    this.maxEvents = options.maxEvents ?? 300;
    this.idleMs = options.idleMs ?? 3_600_000;
    this.maxChunks = Math.ceil((options.maxHeld ?? 0) / CHUNK);
  }

  /**
   * Remembers one event (hot path: a few table lookups and column stores; allocates nothing). The
   * helpers get the event, not its prices and times: a double passed to a call that is not inlined
   * is boxed in a new heap number (≈ 18 bytes an event measured here before).
   */
  record(e: MarketEvent): void {
    if (e.type === 'quote') return;
    let s = this.symbols.find(e.symbol);
    if (s === NONE) s = this.newSlot(e);
    else if (e.tsMs > this.slotLast[s]!) this.touch(s, e);
    const at = this.append(s * SLOT_INTS + (e.type === 'trade' ? TRADES : ORDERS));
    const page = at >>> PAGE_BITS;
    const within = at & PAGE_MASK;
    this.timePages[page]![within] = e.tsMs;
    const ints = this.intPages[page]!;
    const k = within * INTS;
    let tag = this.decimals(e, ints, k, page, within);
    if (e.type === 'trade') {
      tag |= this.idTag(e.tradeId, ints, k, page, within) | sideCode(e.side);
      ints[k + PARTY] = this.party(e.buyer);
      ints[k + OTHER_PARTY] = this.party(e.seller);
    } else {
      tag |= this.idTag(e.orderId, ints, k, page, within) | (actionCode(e.action) << TAG_ACTION_SHIFT) | sideCode(e.side);
      ints[k + PARTY] = this.party(e.account);
      ints[k + OTHER_PARTY] = NO_PARTY;
    }
    ints[k] = tag;
  }

  /**
   * Drops symbols idle for longer than `idleMs` of event time, then, past `maxHeld`, the symbols
   * quiet the longest (the latest symbol stays). Call with non-decreasing `nowMs`.
   */
  expire(nowMs: number): void {
    while (this.idleHead !== NONE && nowMs - this.slotLast[this.idleHead]! > this.idleMs) this.dropSlot(this.idleHead);
    if (this.maxChunks > 0) while (this.chunksHeld > this.maxChunks && this.idleHead !== this.idleTail) this.dropSlot(this.idleHead);
  }

  /** Keeps an event's id (its number at `ints[k + ID]` or in the wide page, its prefix's id in the tag), or the string itself; returns its tag bits. */
  private idTag(id: string, ints: Int32Array, k: number, page: number, within: number): number {
    const start = numberStart(id);
    if (start >= 0 && this.prefixes.size < PREFIX_LIMIT) {
      const n = numberFrom(id, start);
      const tag = this.prefixes.acquire(id, start) << TAG_PREFIX_SHIFT;
      if (n <= 2147483647) {
        ints[k + ID] = n;
        return tag;
      }
      this.widePage(page)[within * WIDE_COLUMNS + WIDE_ID] = n;
      return tag | TAG_WIDE_ID;
    }
    (this.idPages[page] ??= new Array<string | undefined>(PAGE_EVENTS).fill(undefined))[within] = id;
    return STRING_ID << TAG_PREFIX_SHIFT;
  }

  /** Keeps price and qty at `ints[k + PRICE]`, `ints[k + QTY]` (or the wide page) and returns their exponents' tag bits. */
  private decimals(e: Trade | OrderEvent, ints: Int32Array, k: number, page: number, within: number): number {
    const price = e.price;
    const qty = e.qty;
    // `decimalExponentNear`'s first try, written out: `record`, which this is inlined into, had no
    // inlining budget left for that call, and a double passed to a call is boxed (a heap number an
    // event). `(n | 0) === n`: n is an integer in Int32 range.
    const pp = POW10[this.priceExponent]!;
    const pn = Math.round(price * pp);
    const pe = (pn | 0) === pn && pn / pp === price ? this.priceExponent : decimalExponent(price);
    const qp = POW10[this.qtyExponent]!;
    const qn = Math.round(qty * qp);
    const qe = (qn | 0) === qn && qn / qp === qty ? this.qtyExponent : decimalExponent(qty);
    if (pe !== WIDE) this.priceExponent = pe;
    if (qe !== WIDE) this.qtyExponent = qe;
    if (pe === WIDE || qe === WIDE) {
      const wide = this.widePage(page);
      wide[within * WIDE_COLUMNS] = price;
      wide[within * WIDE_COLUMNS + 1] = qty;
    }
    if (pe !== WIDE) ints[k + PRICE] = scaled(price, pe);
    if (qe !== WIDE) ints[k + QTY] = scaled(qty, qe);
    return (pe << TAG_PRICE_SHIFT) | (qe << TAG_QTY_SHIFT);
  }

  private widePage(page: number): Float64Array {
    return (this.widePages[page] ??= new Float64Array(PAGE_EVENTS * WIDE_COLUMNS));
  }

  /** The price (`which` 0) or qty (1) of the event at `page`/`within`, whose integers start at `ints[k]`. */
  private decimalAt(which: 0 | 1, ints: Int32Array, k: number, page: number, within: number): number {
    const e = (ints[k]! >> (which === 0 ? TAG_PRICE_SHIFT : TAG_QTY_SHIFT)) & TAG_EXPONENT_MASK;
    return e === WIDE ? this.widePages[page]![within * WIDE_COLUMNS + which]! : unscaled(ints[k + PRICE + which]!, e);
  }

  private party(account: string): number {
    return account ? this.accounts.acquire(account) : NO_PARTY;
  }

  /** The id of the event at `page`/`within`, whose integers start at `ints[k]`. */
  private idAt(ints: Int32Array, k: number, page: number, within: number): string {
    const tag = ints[k]!;
    const prefix = tag >> TAG_PREFIX_SHIFT;
    if (prefix === STRING_ID) return this.idPages[page]![within]!;
    const n = tag & TAG_WIDE_ID ? this.widePages[page]![within * WIDE_COLUMNS + WIDE_ID]! : ints[k + ID]!;
    return this.prefixes.name(prefix) + String(n);
  }

  /** Releases what the event at position `at` holds in the tables (before its position is reused). */
  private releaseEvent(at: number): void {
    const page = at >>> PAGE_BITS;
    const within = at & PAGE_MASK;
    const ints = this.intPages[page]!;
    const k = within * INTS;
    const prefix = ints[k]! >> TAG_PREFIX_SHIFT;
    if (prefix === STRING_ID) this.idPages[page]![within] = undefined;
    else this.prefixes.release(prefix);
    if (ints[k + PARTY] !== NO_PARTY) this.accounts.release(ints[k + PARTY]!);
    if (ints[k + OTHER_PARTY] !== NO_PARTY) this.accounts.release(ints[k + OTHER_PARTY]!);
  }

  private newSlot(e: Trade | OrderEvent): number {
    const s = this.symbols.acquire(e.symbol);
    if (s >= this.slotLast.length) {
      this.slotLast = grown(this.slotLast, s + 1);
      this.slotInts = grown(this.slotInts, (s + 1) * SLOT_INTS);
    }
    const f = s * SLOT_INTS;
    for (const base of RINGS) {
      this.slotInts[f + base + HEAD] = NONE;
      this.slotInts[f + base + HEAD_AT] = 0;
      this.slotInts[f + base + TAIL] = NONE;
      this.slotInts[f + base + COUNT] = 0;
      this.slotInts[f + base + WRITTEN] = 0;
    }
    this.slotLast[s] = e.tsMs;
    this.linkByTime(s);
    return s;
  }

  /** A newer event for slot `s`: it moves towards the idle list's tail. */
  private touch(s: number, e: Trade | OrderEvent): void {
    this.slotLast[s] = e.tsMs;
    if (s === this.idleTail) return;
    this.unlink(s);
    this.linkByTime(s);
  }

  /** Inserts `s` after the last slot whose latest event is not later than its own (from the tail). */
  private linkByTime(s: number): void {
    const ints = this.slotInts;
    const last = this.slotLast[s]!;
    let after = this.idleTail;
    while (after !== NONE && this.slotLast[after]! > last) after = ints[after * SLOT_INTS + PREV]!;
    const before = after === NONE ? this.idleHead : ints[after * SLOT_INTS + NEXT]!;
    ints[s * SLOT_INTS + PREV] = after;
    ints[s * SLOT_INTS + NEXT] = before;
    if (after === NONE) this.idleHead = s;
    else ints[after * SLOT_INTS + NEXT] = s;
    if (before === NONE) this.idleTail = s;
    else ints[before * SLOT_INTS + PREV] = s;
  }

  private unlink(s: number): void {
    const ints = this.slotInts;
    const prev = ints[s * SLOT_INTS + PREV]!;
    const next = ints[s * SLOT_INTS + NEXT]!;
    if (prev === NONE) this.idleHead = next;
    else ints[prev * SLOT_INTS + NEXT] = next;
    if (next === NONE) this.idleTail = prev;
    else ints[next * SLOT_INTS + PREV] = prev;
  }

  private dropSlot(s: number): void {
    this.unlink(s);
    const ints = this.slotInts;
    for (const base of RINGS) {
      const r = s * SLOT_INTS + base;
      let c = ints[r + HEAD]!;
      let off = ints[r + HEAD_AT]!;
      for (let i = ints[r + COUNT]!; i > 0; i--) {
        this.releaseEvent(c * CHUNK + off);
        if (++off === CHUNK && i > 1) {
          off = 0;
          c = this.chunkNext[c]!;
        }
      }
      for (c = ints[r + HEAD]!; c !== NONE;) {
        const next = c === ints[r + TAIL] ? NONE : this.chunkNext[c]!;
        this.freeChunkAt(c);
        c = next;
      }
    }
    this.symbols.release(s);
  }

  /**
   * Reserves the next event position of the ring whose fields start at `r` (dropping its oldest event
   * when it holds `perSymbol`) and returns it (chunk × CHUNK + offset).
   */
  private append(r: number): number {
    const ints = this.slotInts;
    const count = ints[r + COUNT]!;
    let tail = ints[r + TAIL]!;
    const off = (ints[r + HEAD_AT]! + count) % CHUNK;
    if (tail === NONE) {
      tail = this.takeChunk();
      ints[r + HEAD] = tail;
      ints[r + TAIL] = tail;
    } else if (off === 0) {
      const c = this.takeChunk();
      this.chunkNext[tail] = c;
      ints[r + TAIL] = c;
      tail = c;
    }
    ints[r + WRITTEN] = (ints[r + WRITTEN]! + 1) % this.perSymbol;
    if (count < this.perSymbol) ints[r + COUNT] = count + 1;
    else {
      // Full: the oldest event goes (what it holds released at once), and its chunk once emptied.
      const head = ints[r + HEAD]!;
      const headAt = ints[r + HEAD_AT]!;
      this.releaseEvent(head * CHUNK + headAt);
      if (headAt + 1 === CHUNK) {
        ints[r + HEAD] = this.chunkNext[head]!;
        ints[r + HEAD_AT] = 0;
        this.freeChunkAt(head);
      } else ints[r + HEAD_AT] = headAt + 1;
    }
    return tail * CHUNK + off;
  }

  private takeChunk(): number {
    this.chunksHeld++;
    let c = this.freeChunk;
    if (c !== NONE) {
      this.freeChunk = this.chunkNext[c]!;
      return c;
    }
    c = this.chunks++;
    if (c >= this.chunkNext.length) this.chunkNext = grown(this.chunkNext, c + 1);
    if (((c * CHUNK) & PAGE_MASK) === 0) {
      this.timePages.push(new Float64Array(PAGE_EVENTS));
      this.intPages.push(new Int32Array(PAGE_EVENTS * INTS));
      this.idPages.push(undefined);
      this.widePages.push(undefined);
    }
    return c;
  }

  private freeChunkAt(c: number): void {
    this.chunksHeld--;
    this.chunkNext[c] = this.freeChunk;
    this.freeChunk = c;
  }

  /**
   * The positions of a ring's events in the order a flat ring of `perSymbol` slots would list them
   * (slot 0 first: oldest first until it wraps, then rotated), which `enrich` keeps so the sampled
   * context is the same as it always was.
   */
  private positions(r: number): number[] {
    const ints = this.slotInts;
    const count = ints[r + COUNT]!;
    const headAt = ints[r + HEAD_AT]!;
    const chain: number[] = [];
    for (let c = ints[r + HEAD]!, i = 0; i < headAt + count; i += CHUNK, c = this.chunkNext[c]!) chain.push(c);
    const first = count < this.perSymbol ? 0 : (this.perSymbol - ints[r + WRITTEN]!) % this.perSymbol;
    const out: number[] = [];
    for (let j = 0; j < count; j++) {
      const p = headAt + ((first + j) % count);
      out.push(chain[Math.floor(p / CHUNK)]! * CHUNK + (p % CHUNK));
    }
    return out;
  }

  /**
   * The alert with `evidence.details.events` filled from what the rings still hold. An event's id is
   * written out as a string only when its number is one of the evidence ids' numbers (or it is kept
   * as a string), and a context trade's object is made only when the sampling keeps it: the rings
   * hold hundreds of events a symbol, and this runs as the alert is emitted, on the event path.
   */
  enrich(alert: Alert): Alert {
    const tradeIds = new Set(alert.evidence.tradeIds);
    const orderIds = new Set(alert.evidence.orderIds);
    const tradeNumbers = idNumbers(alert.evidence.tradeIds);
    const orderNumbers = idNumbers(alert.evidence.orderIds);
    const from = Date.parse(alert.window_start);
    const to = Date.parse(alert.window_end);
    const margin = Math.max(60_000, (to - from) * 0.2);
    const evidence: EvidenceEvent[] = [];
    /** Positions of the trades of the window not named as evidence, in ring order. */
    const context: number[] = [];
    for (const symbol of alert.affected_symbols) {
      const s = this.symbols.find(symbol);
      if (s === NONE) continue;
      for (const at of this.positions(s * SLOT_INTS + TRADES)) {
        const page = at >>> PAGE_BITS;
        const within = at & PAGE_MASK;
        const ints = this.intPages[page]!;
        const k = within * INTS;
        if (this.isOneOf(tradeIds, tradeNumbers, ints, k, page, within)) evidence.push(this.tradeAt(at, true));
        else {
          const tsMs = this.timePages[page]![within]!;
          // Written as a test of being outside, as NaN window ends (unparsable dates) keep every trade.
          if (!(tsMs < from - margin || tsMs > to + margin)) context.push(at);
        }
      }
      for (const at of this.positions(s * SLOT_INTS + ORDERS)) {
        const page = at >>> PAGE_BITS;
        const within = at & PAGE_MASK;
        if (this.isOneOf(orderIds, orderNumbers, this.intPages[page]!, within * INTS, page, within)) evidence.push(this.orderAt(at));
      }
    }
    if (evidence.length === 0 && context.length === 0) return alert;
    // Downsample the context evenly so a busy window still fits in one alert.
    const room = Math.max(0, this.maxEvents - evidence.length);
    const step = context.length > room && room > 0 ? context.length / room : 1;
    const sampled: EvidenceEvent[] = [];
    if (room > 0)
      for (let i = 0; i < context.length && sampled.length < room; i += step) sampled.push(this.tradeAt(context[Math.floor(i)]!, false));
    const events = [...evidence.slice(0, Math.max(this.maxEvents, 1000)), ...sampled].sort((a, b) => a.ts - b.ts);
    return { ...alert, evidence: { ...alert.evidence, details: { ...alert.evidence.details, events } } };
  }

  /**
   * Whether the id of the event at `page`/`within` is in `ids`; `numbers` holds the numbers of the
   * numbered ones (`idNumbers`). A numbered id equals another exactly when their prefixes and numbers
   * do (`numbered-id.ts`), so an event whose number is not among them is not in `ids`.
   */
  private isOneOf(
    ids: ReadonlySet<string>,
    numbers: ReadonlySet<number>,
    ints: Int32Array,
    k: number,
    page: number,
    within: number,
  ): boolean {
    const tag = ints[k]!;
    if (tag >> TAG_PREFIX_SHIFT === STRING_ID) return ids.has(this.idPages[page]![within]!);
    const n = tag & TAG_WIDE_ID ? this.widePages[page]![within * WIDE_COLUMNS + WIDE_ID]! : ints[k + ID]!;
    return numbers.has(n) && ids.has(this.idAt(ints, k, page, within));
  }

  /** The trade at position `at` as an evidence event. */
  private tradeAt(at: number, isEvidence: boolean): EvidenceEvent {
    const page = at >>> PAGE_BITS;
    const within = at & PAGE_MASK;
    const ints = this.intPages[page]!;
    const k = within * INTS;
    return {
      ts: this.timePages[page]![within]!,
      kind: 'trade',
      id: this.idAt(ints, k, page, within),
      price: this.decimalAt(0, ints, k, page, within),
      qty: this.decimalAt(1, ints, k, page, within),
      side: SIDES[ints[k]! & TAG_SIDE_MASK],
      buyer: this.partyName(ints[k + PARTY]!),
      seller: this.partyName(ints[k + OTHER_PARTY]!),
      evidence: isEvidence,
    };
  }

  /** The order event at position `at` as an evidence event. */
  private orderAt(at: number): EvidenceEvent {
    const page = at >>> PAGE_BITS;
    const within = at & PAGE_MASK;
    const ints = this.intPages[page]!;
    const k = within * INTS;
    return {
      ts: this.timePages[page]![within]!,
      kind: 'order',
      id: this.idAt(ints, k, page, within),
      price: this.decimalAt(0, ints, k, page, within),
      qty: this.decimalAt(1, ints, k, page, within),
      side: SIDES[ints[k]! & TAG_SIDE_MASK],
      action: ACTIONS[(ints[k]! >> TAG_ACTION_SHIFT) & 3],
      account: this.partyName(ints[k + PARTY]!),
      evidence: true,
    };
  }

  private partyName(p: number): string | undefined {
    return p === NO_PARTY ? undefined : this.accounts.name(p);
  }
}

/** The numbers of the numbered ids among `ids` (`numbered-id.ts`). */
function idNumbers(ids: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const id of ids) {
    const start = numberStart(id);
    if (start >= 0) out.add(numberFrom(id, start));
  }
  return out;
}

/** The action's code in a tag (its index in ACTIONS): compared, not searched (`indexOf` is a builtin call). */
function actionCode(action: OrderAction): number {
  return action === 'new' ? 0 : action === 'modify' ? 1 : action === 'cancel' ? 2 : 3;
}

/** The side's code in a tag (0: unknown). */
function sideCode(side: Side | undefined): number {
  return side === 'buy' ? 1 : side === 'sell' ? 2 : 0;
}

stateClass(MarketContext);
