import { stateClass } from '../../engine/snapshot.js';
import { grownI32 } from '../window/pool-chunks.js';
import { scratchOf } from '../window/select.js';
import { SlotValueRings } from '../window/slot-value-rings.js';

/** Trades a symbol's tape holds: then its window returns and tick moves are kept as values (see PriceTapes). */
export const TAPE = 64;

/** Words of close bits per window length (TAPE bits). */
const CLOSES = TAPE / 32;
/** Prices are kept as decimal integers below this (exact in float32: half a double). */
const DIGITS_LIMIT = 2 ** 24;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/**
 * The first TAPE trades of each symbol slot of price_anomaly: their prices and, per window length,
 * which of them closed a calendar window. A symbol's window returns (log of a window's close over
 * the previous close, per length) and its tick moves (|log| of each price change) are functions of
 * these prices, so while a symbol has traded at most TAPE times they are computed when read (only
 * a move past price_min_move reads them) instead of being kept: a thin symbol of a wide universe
 * (20 trades in a session) held ~17 short and ~15 long returns and ~18 tick moves, ~50 doubles,
 * where its tape is 20 prices. The values computed are the very doubles the detector pushed (the
 * same expressions on the same prices), in the same order. A symbol leaves its tape for good (the
 * detector pushes the values to the rings in order, then `close`) at a trade that does not fit (`scaleFor`):
 * its TAPE + 1st, or a price the tape cannot keep exactly.
 *
 * A price is kept as a decimal integer m < 2^24 with price = m / 10^scale exactly (the slot's
 * scale, raised when a price needs more decimals): float32 holds it exactly, and the quotient is
 * the very double of the price (a division is correctly rounded, as the decimal text's parse was).
 */
export class PriceTapes {
  private readonly prices = new SlotValueRings(TAPE, 1);
  /**
   * Slot s at s × width: the close bits of each length (bit i: trade i closed it), returns pushed
   * per length, tick moves pushed, its ring number (−1 while on tape, see `leave`), the prices'
   * decimal scale (−1 before the first) and the largest |m| held.
   */
  private meta = new Int32Array(0);
  /** Ring numbers handed out so far, and those free for reuse. */
  private rings = 0;
  private readonly freeRings: number[] = [];
  private readonly width: number;
  private readonly returnsAt: number;
  private readonly ticksAt: number;
  private readonly ringAt: number;
  private readonly scaleAt: number;
  private readonly largestAt: number;

  constructor(readonly lengths: number) {
    this.returnsAt = lengths * CLOSES;
    this.ticksAt = this.returnsAt + lengths;
    this.ringAt = this.ticksAt + 1;
    this.scaleAt = this.ringAt + 1;
    this.largestAt = this.scaleAt + 1;
    this.width = this.largestAt + 1;
  }

  /** Puts `slot` (a new symbol's) on an empty tape. */
  open(slot: number): void {
    const w = this.width;
    this.meta = grownI32(this.meta, (slot + 1) * w, w);
    this.meta.fill(0, slot * w, (slot + 1) * w);
    this.meta[slot * w + this.ringAt] = -1;
    this.meta[slot * w + this.scaleAt] = -1;
    this.prices.open(slot);
  }

  /** Frees `slot`'s tape or its ring number (the symbol is forgotten). */
  close(slot: number): void {
    const ring = this.ring(slot);
    if (ring < 0) this.prices.close(slot);
    else this.freeRings.push(ring);
  }

  /**
   * Moves `slot` off its tape (freed): it gets a ring number, its row in the rings that hold the
   * values from now on. Numbered apart from the slots, so the rings' per-slot columns cover the
   * symbols that left their tape only, not every symbol (most never do).
   */
  leave(slot: number): number {
    this.prices.close(slot);
    const ring = this.freeRings.pop() ?? this.rings++;
    this.meta[slot * this.width + this.ringAt] = ring;
    return ring;
  }

  /** `slot`'s ring number, −1 while it is on its tape. */
  ring(slot: number): number {
    return this.meta[slot * this.width + this.ringAt]!;
  }

  /**
   * The decimal scale at which `slot`'s tape would record a trade at `price` (the slot's, or a
   * larger one), or −1 when the trade does not fit: the tape is full, or the price cannot be kept
   * exactly. The detector asks once per trade and hands the answer to `record`.
   */
  scaleFor(slot: number, price: number): number {
    if (this.prices.size(slot, 0) >= TAPE) return -1;
    const m = slot * this.width;
    const scale = this.meta[m + this.scaleAt]!;
    for (let d = Math.max(0, scale); d < POW10.length; d++) {
      const digits = digitsOf(price, d);
      if (Number.isNaN(digits)) continue;
      return scale < 0 || this.meta[m + this.largestAt]! * POW10[d - scale]! < DIGITS_LIMIT ? d : -1;
    }
    return -1;
  }

  /** The trade about to be recorded closed length k's window (and pushed a return when `pushed`). */
  closeWindow(slot: number, k: number, pushed: boolean): void {
    const i = this.prices.size(slot, 0);
    const m = slot * this.width;
    this.meta[m + k * CLOSES + (i >> 5)]! |= 1 << (i & 31);
    if (pushed) this.meta[m + this.returnsAt + k]!++;
  }

  /**
   * Records a trade at `price` at scale `d` (`scaleFor` gave it, ≥ 0; its closes first,
   * `closeWindow`); `tick`: it moved the price (a tick move pushed).
   */
  record(slot: number, price: number, d: number, tick: boolean): void {
    const m = slot * this.width;
    if (tick) this.meta[m + this.ticksAt]!++;
    const scale = this.meta[m + this.scaleAt]!;
    if (d > scale && scale >= 0) {
      // More decimals: the prices held are rewritten at the new scale (exact integers still).
      const n = this.prices.size(slot, 0);
      const held = scratchOf(n);
      for (let i = 0; i < n; i++) held[i] = this.prices.valueAt(slot, 0, i) * POW10[d - scale]!;
      this.prices.close(slot);
      this.prices.open(slot);
      for (let i = 0; i < n; i++) this.prices.push(slot, 0, held[i]!);
      this.meta[m + this.largestAt] = this.meta[m + this.largestAt]! * POW10[d - scale]!;
    }
    this.meta[m + this.scaleAt] = d;
    const digits = digitsOf(price, d);
    this.meta[m + this.largestAt] = Math.max(this.meta[m + this.largestAt]!, Math.abs(digits));
    this.prices.push(slot, 0, digits);
  }

  /** The price of `slot`'s trade i (i < trades recorded). */
  private price(slot: number, i: number): number {
    return this.prices.valueAt(slot, 0, i) / POW10[this.meta[slot * this.width + this.scaleAt]!]!;
  }

  /** Window returns of length k pushed so far. */
  returns(slot: number, k: number): number {
    return this.meta[slot * this.width + this.returnsAt + k]!;
  }

  /** Tick moves pushed so far. */
  ticks(slot: number): number {
    return this.meta[slot * this.width + this.ticksAt]!;
  }

  /**
   * Length k's window returns, oldest first, into `out` (room for TAPE): a window closes on a
   * trade after it, at the price before that trade (the last of the window), and its return is
   * the log of that close over the previous window's (the first trade's price before the first
   * close), pushed when both are > 0 — the detector's expression. Returns how many.
   */
  returnsInto(slot: number, k: number, out: Float64Array): number {
    const m = slot * this.width + k * CLOSES;
    const n = this.prices.size(slot, 0);
    let open = this.price(slot, 0);
    let count = 0;
    for (let i = 1; i < n; i++) {
      if (!(this.meta[m + (i >> 5)]! & (1 << (i & 31)))) continue;
      const close = this.price(slot, i - 1);
      if (close > 0 && open > 0) out[count++] = Math.log(close / open);
      open = close;
    }
    return count;
  }

  /** The tick moves, oldest first, into `out` (room for TAPE): |log| of each price change from a price > 0 (the detector's expression). Returns how many. */
  ticksInto(slot: number, out: Float64Array): number {
    const n = this.prices.size(slot, 0);
    let count = 0;
    for (let i = 1; i < n; i++) {
      const prev = this.price(slot, i - 1);
      const price = this.price(slot, i);
      if (price !== prev && prev > 0) out[count++] = Math.abs(Math.log(price / prev));
    }
    return count;
  }
}

/** m with m / 10^d exactly `price` (−0 kept) and |m| < DIGITS_LIMIT, or NaN. */
function digitsOf(price: number, d: number): number {
  const m = Math.round(price * POW10[d]!);
  return Object.is(m / POW10[d]!, price) && Math.abs(m) < DIGITS_LIMIT ? m : NaN;
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(PriceTapes);
