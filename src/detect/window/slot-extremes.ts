import { stateClass } from '../../engine/snapshot.js';
import { ChunkPool, grownF64, grownI32, pow2ClassFor } from './pool-chunks.js';

/**
 * Per symbol slot, the maximum (or, `min`, the minimum) of a value over two sliding event-time
 * windows of its series, a short one and a long one (they may be equal), with its time: per window
 * the answers of a `TimeMax` / `TimeExtremes` of that length (window/reference/; tested against
 * them, late prints included).
 *
 * One monotone deque serves both windows: values leave the tail the same way whatever the window,
 * and the short window only drops more from the head, so its deque is the newest `short` entries of
 * the long one's. The deque is a ring of (time, value) pairs in a power-of-two chunk of a pool
 * shared by every slot (pool-chunks.ts), grown by doubling and shrunk by `trim`; a slot keeps five
 * ints in a column instead of an object and an array (a thin symbol's deque holds one pair).
 */
export class SlotExtremes {
  private readonly pool = new ChunkPool();
  /** Pair p at 2p (time), 2p + 1 (value). */
  private q = new Float64Array(0);
  /** Slot s at s × 5: chunk start (pairs), its size (0: no chunk), head, count, short count. */
  private meta = new Int32Array(0);

  constructor(
    private readonly shortMs: number,
    private readonly longMs: number,
    /** Minimum instead of maximum. */
    private readonly min: boolean,
  ) {
    if (!(shortMs <= longMs)) throw new Error(`short window ${shortMs} longer than ${longMs}`);
  }

  /** Makes `slot`'s deque empty (a new slot, or one reused from a forgotten symbol). */
  open(slot: number): void {
    this.meta = grownI32(this.meta, (slot + 1) * 5, 5);
    const m = slot * 5;
    this.meta[m + 1] = 0;
    this.meta[m + 2] = 0;
    this.meta[m + 3] = 0;
    this.meta[m + 4] = 0;
  }

  /** Gives `slot`'s chunk back to the pool (the symbol is forgotten). */
  close(slot: number): void {
    const m = slot * 5;
    const size = this.meta[m + 1]!;
    if (size > 0) this.pool.release(this.meta[m]!, pow2ClassFor(size));
    this.meta[m + 1] = 0;
    this.meta[m + 3] = 0;
    this.meta[m + 4] = 0;
  }

  /** Adds an observation at `tsMs` to both windows and drops those older than each (the newest always stays). */
  push(slot: number, tsMs: number, v: number): void {
    const m = slot * 5;
    let meta = this.meta;
    let start = meta[m]!;
    let mask = meta[m + 1]! - 1;
    let head = meta[m + 2]!;
    let c = meta[m + 3]!;
    const count = c;
    let q = this.q;
    if (this.min) while (c > 0 && q[((start + ((head + c - 1) & mask)) << 1) + 1]! >= v) c--;
    else while (c > 0 && q[((start + ((head + c - 1) & mask)) << 1) + 1]! <= v) c--;
    // The short window's entries left: the tail pops took theirs first.
    let s = Math.max(0, meta[m + 4]! - (count - c)) + 1;
    if (c > mask) {
      // Full: twice the pairs (one at first).
      this.resize(slot, c, 2 * (mask + 1) || 1);
      meta = this.meta;
      q = this.q;
      start = meta[m]!;
      mask = meta[m + 1]! - 1;
      head = 0;
    }
    const j = (start + ((head + c) & mask)) << 1;
    q[j] = tsMs;
    q[j + 1] = v;
    c++;
    const cutShort = tsMs - this.shortMs;
    while (s > 1 && q[(start + ((head + c - s) & mask)) << 1]! < cutShort) s--;
    const cutLong = tsMs - this.longMs;
    while (c > 1 && q[(start + head) << 1]! < cutLong) {
      head = (head + 1) & mask;
      c--;
    }
    meta[m + 2] = head;
    meta[m + 3] = c;
    meta[m + 4] = s;
  }

  /** Shrinks `slot`'s chunk to the smallest power of two of pairs holding its deque (a symbol waiting for its next trade). */
  trim(slot: number): void {
    const m = slot * 5;
    const c = this.meta[m + 3]!;
    let pairs = 1;
    while (pairs < c) pairs *= 2;
    if (pairs < this.meta[m + 1]!) this.resize(slot, c, pairs);
  }

  /** The extreme over window k (0 the short one, 1 the long one); NaN before the first push. */
  value(slot: number, k: number): number {
    const p = this.pair(slot, k);
    return p < 0 ? NaN : this.q[2 * p + 1]!;
  }

  /** The time of that extreme (the oldest of equal ones still in the window). */
  atMs(slot: number, k: number): number {
    const p = this.pair(slot, k);
    return p < 0 ? NaN : this.q[2 * p]!;
  }

  /** Pool pair of the deque's oldest entry in window k, or −1 when empty. */
  private pair(slot: number, k: number): number {
    const m = slot * 5;
    const meta = this.meta;
    const c = meta[m + 3]!;
    if (c === 0) return -1;
    const head = meta[m + 2]!;
    return meta[m]! + (k === 0 ? (head + c - meta[m + 4]!) & (meta[m + 1]! - 1) : head);
  }

  /** Copies `slot`'s c live pairs to a new chunk of `pairs` pairs (a power of two ≥ c), from its pair 0. */
  private resize(slot: number, c: number, pairs: number): void {
    if (this.pool.wasteful) this.compact();
    const m = slot * 5;
    const start = this.pool.alloc(pow2ClassFor(pairs));
    this.q = grownF64(this.q, 2 * this.pool.end);
    const q = this.q;
    const old = this.meta[m]!;
    const size = this.meta[m + 1]!;
    const mask = size - 1;
    const head = this.meta[m + 2]!;
    for (let i = 0; i < c; i++) {
      const from = (old + ((head + i) & mask)) << 1;
      q[(start + i) << 1] = q[from]!;
      q[((start + i) << 1) + 1] = q[from + 1]!;
    }
    if (size > 0) this.pool.release(old, pow2ClassFor(size));
    this.meta[m] = start;
    this.meta[m + 1] = pairs;
    this.meta[m + 2] = 0;
  }

  /** Moves every slot's chunk together, in slot order, into storage of about their size (see ChunkPool). */
  private compact(): void {
    const meta = this.meta;
    let live = 0;
    for (let m = 0; m < meta.length; m += 5) live += meta[m + 1]!;
    const out = new Float64Array(2 * (live + (live >> 3)));
    let end = 0;
    for (let m = 0; m < meta.length; m += 5) {
      const size = meta[m + 1]!;
      if (size === 0) continue;
      out.set(this.q.subarray(2 * meta[m]!, 2 * (meta[m]! + size)), 2 * end);
      meta[m] = end;
      end += size;
    }
    this.q = out;
    this.pool.compacted(end);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(SlotExtremes);
