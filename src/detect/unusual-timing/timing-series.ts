import { stateClass } from '../../engine/snapshot.js';

/** Numbers per instant: time, quantity bought, quantity sold. */
export const STRIDE = 3;
const TS = 0;
const BUY = 1;
const SELL = 2;
/**
 * A slot's row in `rows` (16 bytes): the last instant's time, and `account + ACCOUNT_UNIT · tag` (a
 * free slot: -1 - the next free slot + 1, so negative). The tag is `kind + 4 · value`: a run of one
 * instant with one side (most series) whose quantity is an integer under `INLINE_MAX` keeps it there
 * (kind `ONE_BOUGHT` or `ONE_SOLD`, value the quantity); any other (kind `LINKED`) has a row in
 * `prevs` (value: that row) holding the last instant's quantities and what came before.
 * (Not Int32 views of the same buffer: a checkpoint would decode two views onto two buffers.)
 */
const ROW = 2;
const META = 1;
/**
 * 26 bits of account id and 27 of tag, exact in a Float64 (53 bits): 67M accounts alive at once (the
 * ids are reused), 33M linked series and quantities under 33M inline (a larger or fractional one is
 * linked), far past what fits in memory; checked, not assumed.
 */
const ACCOUNT_MASK = 2 ** 26 - 1;
const ACCOUNT_UNIT = 2 ** 26;
const ONE_BOUGHT = 0;
const ONE_SOLD = 1;
const LINKED = 2;
const INLINE_MAX = 2 ** 25;
/**
 * A row of `prevs`, for runs of two instants or more, or a last instant with both sides or a
 * quantity that is not inline: the run's previous instant (when the run has two or more), the run's
 * length and the last instant's quantities bought and sold.
 */
const PREV_ROW = 6;
const RUN = STRIDE;
const LAST_BOUGHT = STRIDE + 1;
const LAST_SOLD = STRIDE + 2;
const MIN_SLOTS = 64;
/** Smallest hash table (buckets, a power of two). */
const MIN_BUCKETS = 64;

/**
 * The regularity series of unusual_timing, one per (symbol, account), as rows of one typed array
 * indexed by a slot number, found by (account id, symbol id) through an open-addressing table of
 * its own. No object, array or Map entry per series: on a tape of 10k accounts × 100 symbols most
 * legs open a series that lives an hour and never gets a second instant, so what a series costs is
 * the cache misses to find and update it. A lookup reads one bucket (8 bytes) and the slot's row
 * (16 bytes; a leg that extends a run also reads its `prevs` row). Slots freed by a sweep are reused in (descending) order, so the rows of new series
 * are written close together.
 *
 * A series is a sequence of execution instants (time, bought, sold). What it keeps of them is its
 * *run*: the longest suffix of instants whose gaps (differences of consecutive times) all lie within
 * `maxRatio` of each other (largest / smallest ≤ maxRatio), at most `cap` instants. The owner picks
 * `maxRatio` so that `cap` instants whose gaps are not within it cannot pass its judgement: a
 * judgement needs only the run, and a series whose last `cap` instants are not all in it is known
 * to fail without reading them. A run longer than the one kept cannot matter: a suffix of gaps
 * within the ratio ending at a new gap is, without it, such a suffix ending at the previous gap.
 *
 * The slot's row holds the last instant only, and of it one quantity: on 2M trades over 100k
 * symbols × 100k accounts, most of the ~770k series alive at once have one instant of one side
 * (only 218 `prevs` rows were ever needed; rows of 64 bytes with room for two instants were 53 MB
 * of the detector's 88; rows of 24 bytes with the quantity beside the account, not packed with it,
 * 20 MB). A run of two or more instants, or a last instant with both sides or a quantity that is
 * not a small integer, also has a row in `prevs` (previous instant, run length, last quantities),
 * linked from the slot's row; older instants are in a plain
 * array of that row (`older`, oldest first, only while the run has three or more instants). Two
 * random gaps are within a ratio of 1.56 one time in five, so few runs hold more than two.
 *
 * Expiry is the owner's sweep (`nextIdle`): a pass in slot order over the rows, now and then, reads
 * memory in order; a queue of instants to visit was a cache miss per instant (the visited row).
 */
export class TimingSeries {
  private rows = new Float64Array(MIN_SLOTS * ROW);
  /**
   * Symbol id of each slot: read only when the series is dropped (by a sweep in slot order), so
   * kept out of the row that every leg reads.
   */
  private symbols = new Int32Array(MIN_SLOTS);
  /**
   * Slots in use so far (the columns' high-water mark), and the last freed slot below it + 1 (0:
   * none): the free slots are a stack linked through their rows (see ROW), not an array beside them.
   */
  private used = 0;
  private freeSlot = 0;
  /** Rows of runs of two instants or more (see PREV_ROW), their high-water mark and free ones. */
  private prevs = new Float64Array(MIN_SLOTS * PREV_ROW);
  private prevsUsed = 0;
  private readonly prevsFree: number[] = [];
  /** Per `prevs` row: instants of the run before its last two, flat and oldest first; null while it has two or fewer. */
  private readonly older: (number[] | null)[] = [];
  /**
   * Hash table by (account, symbol): per bucket the key's hash and the slot + 1 (0: empty), linear
   * probing, deletion by shifting back. A hash and an account id identify the symbol (for one
   * account, the hash is a bijection of the symbol id), so a probe compares the row's account only.
   * Filled up to three quarters: at most half left the 765k series of the 100k-symbol file in 2M
   * buckets (16 MB) where 1M serve; a probe that reads a few more buckets reads them in the same
   * cache line, mostly.
   */
  private buckets = new Int32Array(2 * MIN_BUCKETS);
  private count = 0;

  constructor(
    /** Largest ratio between two gaps of a run (Infinity: every gap, the run is the whole series). */
    private readonly maxRatio: number,
    /** Most instants a run holds. */
    private readonly cap: number,
  ) {}

  /** Number of series held. */
  get size(): number {
    return this.count;
  }

  /** The slot of the series of (account, symbol), or -1. */
  find(account: number, symbol: number): number {
    const h = hashOf(account, symbol);
    const b = this.buckets;
    const mask = (b.length >> 1) - 1;
    for (let i = homeOf(h, mask); ; i = (i + 1) & mask) {
      const slot1 = b[2 * i + 1]!;
      if (slot1 === 0) return -1;
      if (b[2 * i] === h && (this.rows[(slot1 - 1) * ROW + META]! & ACCOUNT_MASK) === account) return slot1 - 1;
    }
  }

  /** A new series of (account, symbol), not held, with one instant; returns its slot. */
  open(account: number, symbol: number, tsMs: number, bought: number, sold: number): number {
    if (!(account >= 0 && account <= ACCOUNT_MASK)) throw new RangeError(`timing series: account id ${account} out of range`);
    let slot: number;
    if (this.freeSlot !== 0) {
      slot = this.freeSlot - 1;
      this.freeSlot = -1 - this.rows[slot * ROW + META]!;
    } else {
      slot = this.used++;
      if (slot >= this.symbols.length) this.grow();
    }
    if (4 * (this.count + 1) > 3 * (this.buckets.length >> 1)) this.rehash(this.buckets.length); // twice the buckets
    this.place(hashOf(account, symbol), slot + 1);
    this.count++;
    this.rows[slot * ROW + META] = account;
    this.symbols[slot] = symbol;
    this.setLast(slot, tsMs, bought, sold);
    return slot;
  }

  /** Starts the series over with one instant (a gap over the limit). */
  restart(slot: number, tsMs: number, bought: number, sold: number): void {
    this.unlink(slot);
    this.setLast(slot, tsMs, bought, sold);
  }

  accountOf(slot: number): number {
    return this.rows[slot * ROW + META]! & ACCOUNT_MASK;
  }

  symbolOf(slot: number): number {
    return this.symbols[slot]!;
  }

  /** Time of the last instant. */
  lastTs(slot: number): number {
    return this.rows[slot * ROW + TS]!;
  }

  /** Instants in the run. */
  runOf(slot: number): number {
    const p = this.prevOf(slot);
    return p < 0 ? 1 : this.prevs[p * PREV_ROW + RUN]!;
  }

  /** Adds a leg's quantity to the last instant (another fill in the same millisecond). */
  merge(slot: number, buy: boolean, qty: number): void {
    const p = this.prevOf(slot);
    if (p >= 0) {
      this.prevs[p * PREV_ROW + (buy ? LAST_BOUGHT : LAST_SOLD)]! += qty;
      return;
    }
    const at = slot * ROW;
    const tag = tagOf(this.rows[at + META]!);
    const q = tag >>> 2;
    if (buy === ((tag & 3) === ONE_BOUGHT)) {
      const v = q + qty;
      if (isInline(v)) this.rows[at + META] = this.accountOf(slot) + ACCOUNT_UNIT * ((tag & 3) + 4 * v);
      else this.setLast(slot, this.rows[at + TS]!, buy ? v : 0, buy ? 0 : v, true);
    } else {
      // The other side of a lone one-sided instant: both sides now, so the instant needs a `prevs` row.
      this.setLast(slot, this.rows[at + TS]!, buy ? qty : q, buy ? q : qty, true);
    }
  }

  /**
   * Appends an instant later than the last one: the run becomes the longest suffix (of the old run
   * plus the new gap, at most `cap` instants) whose gaps are within `maxRatio`.
   */
  append(slot: number, tsMs: number, bought: number, sold: number): void {
    const rows = this.rows;
    const at = slot * ROW;
    let p = this.prevOf(slot);
    const r = p < 0 ? 1 : this.prevs[p * PREV_ROW + RUN]!;
    const lastTs = rows[at + TS]!;
    // How many of the latest gaps, newest first, are within the ratio (the new one always is).
    let gaps = 1;
    if (r >= 2) {
      let lo = tsMs - lastTs;
      let hi = lo;
      let later = lastTs;
      // Earlier instants' times, newest first: the previous one, then the older ones from the end.
      for (let k = 0; k < r - 1 && gaps < this.cap - 1; k++) {
        const ts = k === 0 ? this.prevs[p * PREV_ROW + TS]! : this.older[p]![(r - 2 - k) * STRIDE + TS]!;
        const gap = later - ts;
        const l = gap < lo ? gap : lo;
        const h = gap > hi ? gap : hi;
        if (h > this.maxRatio * l) break;
        lo = l;
        hi = h;
        later = ts;
        gaps++;
      }
    }
    const run = Math.min(gaps + 1, this.cap);
    if (run < 2) {
      // A cap of one instant: the run is the new one alone.
      this.restart(slot, tsMs, bought, sold);
      return;
    }
    // The old last instant's quantities, before the row is linked.
    let lastBought: number;
    let lastSold: number;
    if (p >= 0) {
      lastBought = this.prevs[p * PREV_ROW + LAST_BOUGHT]!;
      lastSold = this.prevs[p * PREV_ROW + LAST_SOLD]!;
    } else {
      const tag = tagOf(rows[at + META]!);
      lastBought = (tag & 3) === ONE_BOUGHT ? tag >>> 2 : 0;
      lastSold = (tag & 3) === ONE_SOLD ? tag >>> 2 : 0;
      p = this.link(slot);
    }
    const prevs = this.prevs;
    // The new run: (run - 3) older instants, the old previous one, the old last one, the new one.
    const keep = run - 3;
    if (keep >= 0) {
      const held = r >= 3 ? r - 2 : 0;
      const old = held > 0 ? this.older[p]! : (this.older[p] = []);
      if (held > keep) {
        // Drop from the front all but `keep` (a plain loop: copyWithin takes V8's slow generic path).
        const from = (held - keep) * STRIDE;
        for (let i = 0; i < keep * STRIDE; i++) old[i] = old[i + from]!;
        old.length = keep * STRIDE;
      }
      old.push(prevs[p * PREV_ROW + TS]!, prevs[p * PREV_ROW + BUY]!, prevs[p * PREV_ROW + SELL]!);
    } else if (r >= 3) this.older[p] = null;
    prevs[p * PREV_ROW + TS] = lastTs;
    prevs[p * PREV_ROW + BUY] = lastBought;
    prevs[p * PREV_ROW + SELL] = lastSold;
    prevs[p * PREV_ROW + RUN] = run;
    rows[at + TS] = tsMs;
    prevs[p * PREV_ROW + LAST_BOUGHT] = bought;
    prevs[p * PREV_ROW + LAST_SOLD] = sold;
  }

  /** Writes the run's instants, oldest first, as (time, bought, sold) into `out`. */
  copyRun(slot: number, out: Float64Array): void {
    const at = slot * ROW;
    const p = this.prevOf(slot);
    let o = 0;
    if (p >= 0) {
      const r = this.prevs[p * PREV_ROW + RUN]!;
      if (r >= 3) {
        const old = this.older[p]!;
        for (let i = 0; i < (r - 2) * STRIDE; i++) out[o++] = old[i]!;
      }
      if (r >= 2) for (let i = 0; i < STRIDE; i++) out[o++] = this.prevs[p * PREV_ROW + i]!;
      out[o + TS] = this.rows[at + TS]!;
      out[o + BUY] = this.prevs[p * PREV_ROW + LAST_BOUGHT]!;
      out[o + SELL] = this.prevs[p * PREV_ROW + LAST_SOLD]!;
    } else {
      const tag = tagOf(this.rows[at + META]!);
      const sold = (tag & 3) === ONE_SOLD;
      out[o + TS] = this.rows[at + TS]!;
      out[o + BUY] = sold ? 0 : tag >>> 2;
      out[o + SELL] = sold ? tag >>> 2 : 0;
    }
  }

  /** Forgets a series (its account and symbol ids are the owner's to release). */
  release(slot: number): void {
    this.remove(hashOf(this.accountOf(slot), this.symbols[slot]!), slot + 1);
    this.unlink(slot);
    this.rows[slot * ROW + META] = -1 - this.freeSlot;
    this.freeSlot = slot + 1;
    const size = this.buckets.length >> 1;
    if (size > MIN_BUCKETS && 8 * this.count < size) this.rehash(size >> 1); // half the buckets
  }

  /** The first slot from `from` on holding a series whose last instant is before `cutoffMs`, or -1. */
  nextIdle(from: number, cutoffMs: number): number {
    const rows = this.rows;
    for (let slot = from; slot < this.used; slot++) {
      if (rows[slot * ROW + TS]! < cutoffMs && rows[slot * ROW + META]! >= 0) return slot;
    }
    return -1;
  }

  /** The slot's row in `prevs`, or -1 (the last instant is in the slot's row). */
  private prevOf(slot: number): number {
    const tag = tagOf(this.rows[slot * ROW + META]!);
    return (tag & 3) === LINKED ? tag >>> 2 : -1;
  }

  /**
   * Writes the last instant of a run that has no earlier one: in the slot's row when it can be (the
   * slot is then not linked: the caller unlinked it), else linked, as a run of one (so always when `linked`).
   */
  private setLast(slot: number, tsMs: number, bought: number, sold: number, linked = false): void {
    const at = slot * ROW;
    this.rows[at + TS] = tsMs;
    const q = sold !== 0 ? sold : bought;
    if (linked || (bought !== 0 && sold !== 0) || !isInline(q)) {
      let p = this.prevOf(slot);
      if (p < 0) p = this.link(slot);
      this.prevs[p * PREV_ROW + RUN] = 1;
      this.prevs[p * PREV_ROW + LAST_BOUGHT] = bought;
      this.prevs[p * PREV_ROW + LAST_SOLD] = sold;
    } else this.rows[at + META] = this.accountOf(slot) + ACCOUNT_UNIT * ((sold !== 0 ? ONE_SOLD : ONE_BOUGHT) + 4 * q);
  }

  /** Links the slot (not linked) to a free `prevs` row; returns the row. */
  private link(slot: number): number {
    const p = this.linkPrev();
    this.rows[slot * ROW + META] = this.accountOf(slot) + ACCOUNT_UNIT * (LINKED + 4 * p);
    return p;
  }

  /** Frees the slot's `prevs` row, if any: the run is back to one instant (the caller writes it). */
  private unlink(slot: number): void {
    const p = this.prevOf(slot);
    if (p < 0) return;
    if (this.prevs[p * PREV_ROW + RUN]! >= 3) this.older[p] = null;
    this.prevsFree.push(p);
    this.rows[slot * ROW + META] = this.accountOf(slot);
  }

  /** A free `prevs` row (its contents are the caller's to write). */
  private linkPrev(): number {
    const p = this.prevsFree.pop();
    if (p !== undefined) return p;
    if (this.prevsUsed + 1 >= INLINE_MAX) throw new RangeError('timing series: too many runs of two instants or more');
    const q = this.prevsUsed++;
    if (q * PREV_ROW >= this.prevs.length) {
      const prevs = new Float64Array(this.prevs.length + quarterMore(this.prevs.length / PREV_ROW) * PREV_ROW);
      prevs.set(this.prevs);
      this.prevs = prevs;
    }
    this.older.push(null);
    return q;
  }

  /** Puts (hash, slot + 1) in the first free bucket of its run. */
  private place(h: number, slot1: number): void {
    const b = this.buckets;
    const mask = (b.length >> 1) - 1;
    let i = homeOf(h, mask);
    while (b[2 * i + 1] !== 0) i = (i + 1) & mask;
    b[2 * i] = h;
    b[2 * i + 1] = slot1;
  }

  /** Removes the bucket of (hash, slot + 1), present, shifting back the entries after it. */
  private remove(h: number, slot1: number): void {
    const b = this.buckets;
    const mask = (b.length >> 1) - 1;
    let hole = homeOf(h, mask);
    while (b[2 * hole + 1] !== slot1) hole = (hole + 1) & mask;
    // Shift back each following entry of the run whose home is not in (hole, j], so no probe meets a gap.
    for (let j = (hole + 1) & mask; b[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = homeOf(b[2 * j]!, mask);
      if (hole < j ? home <= hole || home > j : home <= hole && home > j) {
        b[2 * hole] = b[2 * j]!;
        b[2 * hole + 1] = b[2 * j + 1]!;
        hole = j;
      }
    }
    b[2 * hole + 1] = 0;
    this.count--;
  }

  /** Rebuilds the table with `size` buckets. */
  private rehash(size: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(2 * Math.max(MIN_BUCKETS, size));
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.place(old[i]!, old[i + 1]!);
  }

  /**
   * A quarter more slots (a multiple of `MIN_SLOTS`). Doubling left up to half of the columns
   * unused: on 2M trades over 100k symbols and 100k accounts (~700k series at once) they had grown
   * to 1M slots, and the copy held the old and the new at once. Copying a quarter more each time is
   * still a constant amortised cost per slot.
   */
  private grow(): void {
    const slots = this.symbols.length + quarterMore(this.symbols.length);
    const rows = new Float64Array(slots * ROW);
    rows.set(this.rows);
    this.rows = rows;
    const symbols = new Int32Array(slots);
    symbols.set(this.symbols);
    this.symbols = symbols;
  }
}

/** The tag of a used slot's META number (see ROW). */
function tagOf(m: number): number {
  return Math.floor(m / ACCOUNT_UNIT);
}

/** Whether a quantity fits in a slot's row (an integer under `INLINE_MAX`; not -0, which would come back as 0). */
function isInline(q: number): boolean {
  return q >= 0 && q < INLINE_MAX && Math.floor(q) === q && !Object.is(q, -0);
}

/** How many slots to add to a column of `slots`: a quarter, rounded up to a multiple of MIN_SLOTS. */
function quarterMore(slots: number): number {
  return Math.max(MIN_SLOTS, Math.ceil(slots / 4 / MIN_SLOTS) * MIN_SLOTS);
}

/** The key's hash: for a fixed account a bijection of the symbol id (odd multiplier), so (hash, account) identifies the symbol. */
function hashOf(account: number, symbol: number): number {
  return Math.imul(account + 1, 0x9e3779b1) ^ Math.imul(symbol, 0x85ebca6b);
}

function homeOf(h: number, mask: number): number {
  return (h ^ (h >>> 16)) & mask;
}

// Part of unusual_timing's checkpointed state.
stateClass(TimingSeries);
