import type { EpochMs, OrderEvent, Side } from '../../domain/events.js';
import { stateClass } from '../../engine/snapshot.js';
import { DeadlineQueue } from '../window/deadline-queue.js';
import { SizeSamples } from './size-samples.js';

/**
 * A light per-symbol book of live orders, rebuilt from new/modify/cancel/fill events, with the
 * robust statistics the order-flow detectors (spoofing, layering) judge against: the median size of
 * recent `new` orders and the resting depth at the best few price levels of a side.
 *
 * Every lookup is by order id or by (symbol, account); nothing scans the whole book per event except
 * `depthNear`, which scans price levels (or the symbol's orders, see SymbolBook.wholeSizes) and is
 * only called for orders that are already many times the median size. Expiry pops symbols from a deadline queue: only symbols with an
 * order (or, when empty, an idle spell) past the horizon are visited, not every symbol every tick.
 */
export interface LiveOrder {
  readonly orderId: string;
  readonly symbol: string;
  readonly account: string;
  readonly side: Side;
  price: number;
  /** Size still resting. */
  remaining: number;
  /** Largest size the order has shown (at placement or after a larger modify). */
  peakQty: number;
  filledQty: number;
  cancelledQty: number;
  readonly placedMs: EpochMs;
  lastMs: EpochMs;
}

/** What one order event did to the book. `order` is undefined for events of orders never seen. */
export interface BookUpdate {
  readonly order: LiveOrder | undefined;
  /** The order left the book (fully filled or cancelled) with this event. */
  readonly removed: boolean;
}

/** The update of an event that touched no known order (shared: nothing to allocate). */
const NOTHING: BookUpdate = { order: undefined, removed: false };

/** Below this a remaining size counts as zero (float sums of partial fills). */
const EPS = 1e-9;
/** Recent `new` order sizes kept per symbol for the median. */
const SIZE_SAMPLES = 256;
/**
 * Sizes up to this (whole numbers) and fewer live orders than MAX_WHOLE_ORDERS keep every sum of a
 * symbol's remaining sizes below 2^53, where whole-number sums are exact in any order.
 */
const MAX_WHOLE_SIZE = 2 ** 32;
const MAX_WHOLE_ORDERS = 2 ** 20;
/** The median is recomputed after this many new sizes (it moves slowly; sorting on every order would not). */
const MEDIAN_EVERY = 16;

/**
 * One reader's median of a symbol's order sizes, recomputed when it asks and MEDIAN_EVERY new sizes
 * came since its last computation. Each reader (detector) of a shared book keeps its own, so it sees
 * the values it would see with a book of its own: when the median is refreshed depends on when it
 * is asked for.
 */
class CachedMedian {
  constructor(readonly reader: string) {}
  /** `newOrders` when last computed. */
  at = -Infinity;
  value = NaN;
}

class SymbolBook {
  /**
   * The time this book is queued for expiry under: its oldest order's placement, or its last
   * activity when empty (never later than that; Infinity while not queued).
   */
  dueBase = Infinity;
  /** Insertion order = placement order, so expiry walks from the front and stops at the first young order. */
  readonly orders = new Map<string, LiveOrder>();
  /**
   * Each account's live orders in placement order (an array: accounts rest few orders per symbol).
   * Read through `ordersOf` and changed through `addOrder` / `removeOrder`, which keep `lastOrders` right.
   */
  private readonly byAccount = new Map<string, LiveOrder[]>();
  /**
   * Whether every size and price this book took was a whole number in [0, MAX_WHOLE_SIZE] and a
   * number (no NaN). Then a level's running sum (below) is exact whatever the order of its
   * additions, so it always equals the sum of the remaining sizes of the orders at that price: the
   * level maps are not kept (two map updates per order event, read only by `depthNear` for the few
   * orders many times the median size), and `depthNear` sums the orders instead. The first other
   * size or price builds the maps from the orders (exact, for the same reason) and keeps them from
   * then on, as running sums in event order (float residues included, as they always were).
   */
  wholeSizes = true;
  /** Price → resting size of each side: running sums of the orders' size changes (kept once `wholeSizes` is off). */
  readonly bidLevels = new Map<number, number>();
  readonly askLevels = new Map<number, number>();
  readonly sizes = new SizeSamples(SIZE_SAMPLES);
  newOrders = 0;
  lastActivityMs = 0;
  /** One per reader (a list: one or two readers, a scan is cheaper than a map lookup per `new` order). */
  private readonly medians: CachedMedian[] = [];
  /**
   * The `byAccount` list last looked up: an account's order events come in runs (60% of a live
   * feed's order events are of the same symbol and account as the one before), and the book, then
   * layering, ask for it in turn. Its orders name their account; an emptied list is no longer
   * in the map, and its length 0 fails the test, so nothing has to forget it.
   */
  private lastOrders: LiveOrder[] = NO_ORDERS;

  constructor(readonly symbol: string) {}

  /** The account's live orders (a non-empty list), if any. */
  ordersOf(account: string): LiveOrder[] | undefined {
    const last = this.lastOrders;
    if (last.length > 0 && last[0]!.account === account) return last;
    const mine = this.byAccount.get(account);
    if (mine !== undefined) this.lastOrders = mine;
    return mine;
  }

  /** Appends a new order of an account ('' excluded) to its list. */
  addOrder(order: LiveOrder): void {
    const mine = this.ordersOf(order.account);
    if (mine !== undefined) mine.push(order);
    else {
      const fresh = [order];
      this.byAccount.set(order.account, fresh);
      this.lastOrders = fresh;
    }
  }

  /** Takes an order off its account's list; an emptied list leaves the map (and so `lastOrders`' test fails). */
  removeOrder(order: LiveOrder): void {
    const mine = this.ordersOf(order.account);
    if (mine === undefined) return;
    const i = mine.indexOf(order);
    if (i >= 0) {
      // Shift the later orders down by hand and pop the last: `splice` allocates an array of the
      // removed ones (an order leaves the book on about every other order event), and setting
      // `length` is a runtime call where `pop` is inlined.
      for (let j = i + 1; j < mine.length; j++) mine[j - 1] = mine[j]!;
      mine.pop();
    }
    if (mine.length === 0) this.byAccount.delete(order.account);
  }

  levels(side: Side): Map<number, number> {
    return side === 'buy' ? this.bidLevels : this.askLevels;
  }

  /** Adds `delta` to the size resting at `price` (nothing to do while the levels are not kept). */
  addLevel(side: Side, price: number, delta: number): void {
    if (!this.wholeSizes) addLevel(this.levels(side), price, delta);
  }

  /** Leaves whole-size mode unless the event keeps every sum exact (see `wholeSizes`). */
  checkWhole(qty: number, price: number): void {
    if (Number.isInteger(qty) && qty >= 0 && qty <= MAX_WHOLE_SIZE && price === price && this.orders.size < MAX_WHOLE_ORDERS) return;
    this.wholeSizes = false;
    for (const o of this.orders.values()) addLevel(this.levels(o.side), o.price, o.remaining);
  }

  /** One side's levels: the kept map, or (whole sizes) the sums of its orders in a scratch map. */
  levelsNow(side: Side): Map<number, number> {
    if (!this.wholeSizes) return this.levels(side);
    const sums = scratchLevels;
    sums.clear();
    for (const o of this.orders.values()) if (o.side === side) sums.set(o.price, (sums.get(o.price) ?? 0) + o.remaining);
    return sums;
  }

  addSize(qty: number): void {
    this.sizes.push(qty);
    this.newOrders++;
  }

  median(reader: string): number {
    let m: CachedMedian | undefined;
    for (const c of this.medians) if (c.reader === reader) m = c;
    if (!m) {
      m = new CachedMedian(reader);
      this.medians.push(m);
    }
    if (this.newOrders - m.at >= MEDIAN_EVERY) {
      m.value = this.sizes.median();
      m.at = this.newOrders;
    }
    return m.value;
  }
}

/** Live orders and order-size/depth statistics of every symbol, fed by order events. */
export class OrderBook {
  private readonly books = new Map<string, SymbolBook>();
  /** The book last looked up: an order event's readers (the book, then each detector) ask for its symbol in turn. */
  private lastBook: SymbolBook | undefined = undefined;
  private readonly expiry = new DeadlineQueue<SymbolBook>();
  /** What `apply` returns, reused (an object per order event was garbage): read it before the next apply. */
  private readonly update: { order: LiveOrder | undefined; removed: boolean } = { order: undefined, removed: false };

  /** @param horizonMs orders resting longer than this are forgotten (lost cancels must not leak memory). */
  constructor(private readonly horizonMs: number) {}

  /**
   * Applies one order event and tells what it did (in an object the next call reuses). Unknown order
   * ids are tolerated (feeds joined mid-session).
   */
  apply(e: OrderEvent): BookUpdate {
    let book = this.bookOf(e.symbol);
    if (!book) {
      book = new SymbolBook(e.symbol);
      this.books.set(e.symbol, book);
      this.lastBook = book;
    }
    book.lastActivityMs = e.tsMs;
    // Orders are appended in event order, so an event moves the book's expiry time earlier only when
    // it starts the book or arrives out of time order (within the reorder window).
    if (e.tsMs < book.dueBase) this.schedule(book, e.tsMs);
    if (book.wholeSizes) book.checkWhole(e.qty, e.price);
    const existing = book.orders.get(e.orderId);
    switch (e.action) {
      case 'new': {
        if (existing) this.remove(book, existing); // a re-used id replaces the old order
        book.addSize(e.qty);
        if (e.qty <= EPS) return NOTHING;
        const order: LiveOrder = {
          orderId: e.orderId,
          symbol: e.symbol,
          account: e.account,
          side: e.side,
          price: e.price,
          remaining: e.qty,
          peakQty: e.qty,
          filledQty: 0,
          cancelledQty: 0,
          placedMs: e.tsMs,
          lastMs: e.tsMs,
        };
        book.orders.set(e.orderId, order);
        // Orders without an account are never attributed (and on anonymous feeds would make one huge list).
        if (order.account !== '') book.addOrder(order);
        book.addLevel(order.side, order.price, order.remaining);
        return this.updated(order, false);
      }
      case 'modify': {
        if (!existing) return NOTHING;
        book.addLevel(existing.side, existing.price, -existing.remaining);
        existing.price = e.price;
        existing.remaining = e.qty;
        existing.lastMs = e.tsMs;
        if (e.qty > existing.peakQty) existing.peakQty = e.qty;
        if (existing.remaining <= EPS) {
          this.remove(book, existing, false);
          return this.updated(existing, true);
        }
        book.addLevel(existing.side, existing.price, existing.remaining);
        return this.updated(existing, false);
      }
      case 'cancel':
      case 'fill': {
        if (!existing) return NOTHING;
        // A cancel smaller than the remaining size is a partial cancel: the order keeps resting.
        const qty = Math.min(e.qty, existing.remaining);
        if (e.action === 'fill') existing.filledQty += qty;
        else existing.cancelledQty += qty;
        existing.lastMs = e.tsMs;
        book.addLevel(existing.side, existing.price, -qty);
        existing.remaining -= qty;
        if (existing.remaining <= EPS) {
          this.remove(book, existing, false);
          return this.updated(existing, true);
        }
        return this.updated(existing, false);
      }
    }
  }

  /** Median size of the symbol's recent `new` orders (NaN before any), as refreshed for `reader` (see CachedMedian). */
  medianNewSize(symbol: string, reader: string): number {
    return this.bookOf(symbol)?.median(reader) ?? NaN;
  }

  /** How many `new` orders of the symbol have been seen (to know whether the median means anything). */
  newOrderCount(symbol: string): number {
    return this.bookOf(symbol)?.newOrders ?? 0;
  }

  /**
   * Resting quantity at the `levels` best price levels of one side (highest bids, lowest asks),
   * leaving out `exclude` (the order being judged), so an order is compared with the depth it joins.
   */
  depthNear(symbol: string, side: Side, levels: number, exclude?: LiveOrder): number {
    const book = this.bookOf(symbol);
    if (!book) return 0;
    const map = book.levelsNow(side);
    // Keep the `levels` best prices in a small sorted array: O(price levels × levels).
    const best: number[] = [];
    const better = side === 'buy' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    for (const [price, qty] of map) {
      const own = exclude && exclude.price === price ? exclude.remaining : 0;
      if (qty - own <= EPS) continue;
      if (best.length === levels && !better(price, best[levels - 1]!)) continue;
      let i = best.length;
      while (i > 0 && better(price, best[i - 1]!)) i--;
      best.splice(i, 0, price);
      if (best.length > levels) best.pop();
    }
    let depth = 0;
    for (const p of best) {
      const own = exclude && exclude.price === p ? exclude.remaining : 0;
      depth += map.get(p)! - own;
    }
    return depth;
  }

  /** The account's live orders in the symbol, oldest first (few per account: scanning them is cheap); none for ''. */
  liveOrdersOf(symbol: string, account: string): readonly LiveOrder[] {
    return this.bookOf(symbol)?.ordersOf(account) ?? EMPTY;
  }

  /** An order by id, if it still rests. */
  get(symbol: string, orderId: string): LiveOrder | undefined {
    return this.bookOf(symbol)?.orders.get(orderId);
  }

  /** Live orders in all symbols (tests and diagnostics). */
  get size(): number {
    let n = 0;
    for (const b of this.books.values()) n += b.orders.size;
    return n;
  }

  /** Forgets orders placed before `nowMs − horizon` and symbols left empty. */
  expire(nowMs: EpochMs): void {
    const cutoff = nowMs - this.horizonMs;
    // Due: an order placed before the cutoff, or an empty book idle longer than the horizon (both
    // tests as below, so a book is visited exactly when there is something to do).
    const due = this.expiry.takeDue((t) => t < cutoff || nowMs - t > this.horizonMs);
    for (const { time, item: book } of due) {
      if (time !== book.dueBase || this.books.get(book.symbol) !== book) continue; // superseded entry
      book.dueBase = Infinity;
      for (const order of book.orders.values()) {
        if (order.placedMs >= cutoff) break;
        book.addLevel(order.side, order.price, -order.remaining);
        this.remove(book, order, false);
      }
      // Keep the size statistics of a quiet symbol only as long as its orders would live.
      if (book.orders.size === 0 && nowMs - book.lastActivityMs > this.horizonMs) {
        this.books.delete(book.symbol);
        if (this.lastBook === book) this.lastBook = undefined;
        continue;
      }
      const oldest = book.orders.values().next();
      this.schedule(book, oldest.done ? book.lastActivityMs : oldest.value.placedMs);
    }
  }

  private bookOf(symbol: string): SymbolBook | undefined {
    const last = this.lastBook;
    if (last !== undefined && last.symbol === symbol) return last;
    const book = this.books.get(symbol);
    if (book !== undefined) this.lastBook = book;
    return book;
  }

  private updated(order: LiveOrder, removed: boolean): BookUpdate {
    this.update.order = order;
    this.update.removed = removed;
    return this.update;
  }

  private schedule(book: SymbolBook, base: EpochMs): void {
    book.dueBase = base;
    this.expiry.push(base, book);
  }

  private remove(book: SymbolBook, order: LiveOrder, fixLevels = true): void {
    if (fixLevels) book.addLevel(order.side, order.price, -order.remaining);
    book.orders.delete(order.orderId);
    book.removeOrder(order);
  }
}

stateClass(CachedMedian, 'order-book.CachedMedian');
stateClass(SymbolBook, 'order-book.SymbolBook');
stateClass(OrderBook, 'order-book.OrderBook');

const EMPTY: readonly LiveOrder[] = [];
/** `SymbolBook.lastOrders` before any lookup (empty: matches no account, never pushed to). */
const NO_ORDERS: LiveOrder[] = [];
/** The level sums `depthNear` reads of a whole-size book (reused: read before the next call). */
const scratchLevels = new Map<number, number>();

function addLevel(map: Map<number, number>, price: number, delta: number): void {
  const q = (map.get(price) ?? 0) + delta;
  if (q <= EPS) map.delete(price);
  else map.set(price, q);
}
