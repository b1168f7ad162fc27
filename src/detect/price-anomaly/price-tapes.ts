import { stateClass } from '../../engine/snapshot.js';
import { SlotValueRings } from '../window/slot-value-rings.js';

/** Trades a symbol's tape holds: then its window returns and tick moves are kept as values (see PriceTapes). */
export const TAPE = 64;

/** Per slot: `CLOSES` words of close bits per window length, then the counts below. */
const CLOSES = 2;
/** Returns pushed per window length (after the close bits of all lengths). */
const RETURNS = 0;

/**
 * The first TAPE trades of each symbol slot of price_anomaly: their prices and, per window length,
 * which of them closed a calendar window. A symbol's window returns (log of a window's close over
 * the previous close, per length) and its tick moves (|log| of each price change) are functions of
 * these prices, so while a symbol has traded at most TAPE times they are computed when read (only
 * a move past price_min_move reads them) instead of being kept: a thin symbol of a wide universe
 * (20 trades in a session) held ~17 short and ~15 long returns and ~18 tick moves, ~50 doubles,
 * where its tape is 20 prices. The values computed are the very doubles the detector pushed (the
 * same expressions on the same prices), in the same order. A symbol's next trade after TAPE
 * (`full`) moves it to the rings for good (the detector pushes the values in order, `leave`).
 */
export class PriceTapes {
  private readonly prices = new SlotValueRings(TAPE, 1);
  /** Slot s at s × width: the close bits of each length (bit i: trade i closed it), returns pushed per length, tick moves pushed, 1 while on tape. */
  private meta = new Int32Array(0);
  private readonly width: number;

  constructor(readonly lengths: number) {
    this.width = lengths * (CLOSES + 1) + 2;
  }

  /** Puts `slot` (a new symbol's) on an empty tape. */
  open(slot: number): void {
    const w = this.width;
    if (this.meta.length < (slot + 1) * w) {
      const grown = new Int32Array(Math.max((slot + 1) * w, this.meta.length + (this.meta.length >> 3) + 64 * w));
      grown.set(this.meta);
      this.meta = grown;
    }
    this.meta.fill(0, slot * w, (slot + 1) * w);
    this.meta[slot * w + w - 1] = 1;
    this.prices.open(slot);
  }

  /** Frees `slot`'s tape (the symbol is forgotten, or moved to the rings). */
  close(slot: number): void {
    this.prices.close(slot);
    this.meta[slot * this.width + this.width - 1] = 0;
  }

  /** Whether `slot` is on its tape. */
  on(slot: number): boolean {
    return this.meta[slot * this.width + this.width - 1] === 1;
  }

  /** The tape holds TAPE trades: the next one moves the symbol to the rings. */
  full(slot: number): boolean {
    return this.prices.size(slot, 0) === TAPE;
  }

  /** The trade about to be recorded closed length k's window (and pushed a return when `pushed`). */
  closeWindow(slot: number, k: number, pushed: boolean): void {
    const i = this.prices.size(slot, 0);
    const m = slot * this.width;
    this.meta[m + k * CLOSES + (i >> 5)]! |= 1 << (i & 31);
    if (pushed) this.meta[m + this.lengths * CLOSES + RETURNS + k]!++;
  }

  /** Records a trade at `price` (its closes first, `closeWindow`); `tick`: it moved the price (a tick move pushed). */
  record(slot: number, price: number, tick: boolean): void {
    if (tick) this.meta[slot * this.width + this.width - 2]!++;
    this.prices.push(slot, 0, price);
  }

  /** Window returns of length k pushed so far. */
  returns(slot: number, k: number): number {
    return this.meta[slot * this.width + this.lengths * CLOSES + RETURNS + k]!;
  }

  /** Tick moves pushed so far. */
  ticks(slot: number): number {
    return this.meta[slot * this.width + this.width - 2]!;
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
    let open = this.prices.valueAt(slot, 0, 0);
    let count = 0;
    for (let i = 1; i < n; i++) {
      if (!(this.meta[m + (i >> 5)]! & (1 << (i & 31)))) continue;
      const close = this.prices.valueAt(slot, 0, i - 1);
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
      const prev = this.prices.valueAt(slot, 0, i - 1);
      const price = this.prices.valueAt(slot, 0, i);
      if (price !== prev && prev > 0) out[count++] = Math.abs(Math.log(price / prev));
    }
    return count;
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(PriceTapes);
