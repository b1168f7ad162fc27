import { stateClass } from '../../engine/snapshot.js';

/**
 * Blocks of numbers (and, in a slab made `withStrings`, a string beside each number) for the small
 * rings and logs of many symbols, carved out of one Float64Array. A JS array per ring cost a 32 B
 * header, a 16 B backing-store header and 17+ slots for the one to three values a symbol trading a
 * few times a day holds (and a typed array per ring ~250 B before its data); a block here costs its
 * slots, rounded up to a size class.
 *
 * Blocks come in size classes 1, 2, 3, then 4…7 × 2^k (each at most a third above the one below, so
 * rounding wastes a sixth on average). A freed block goes onto its class's free list (the link in
 * its first number) and is handed out again before the slab grows. Offsets are stable, but `nums`
 * (and `strs`) are replaced when the slab grows: re-read them after every `alloc`/`regrow`.
 *
 * Generic (nothing here is pump_and_dump's): other detectors with per-symbol rings may share it.
 */
/** Numbers from which the slab grows by an eighth at a time. */
const LARGE = 1 << 20;

/** A structure's blocks in a slab: per slot the offset (−1: none) and capacity (0: none) of one block. */
export interface SlabBlocks {
  readonly off: Int32Array;
  readonly cap: Int32Array;
}

export class Slab {
  nums = new Float64Array(1024);
  /** Strings beside the numbers (same length as `nums`), or null in a numbers-only slab. */
  strs: string[] | null;
  /** Numbers in use or on a free list: [0, top); the rest of `nums` is unused tail. */
  private top = 0;
  /** Offset of the first free block of each size class, −1 for none. */
  private freeHeads: number[] = [];
  /** Numbers in free blocks. */
  private freeNums = 0;

  constructor(withStrings = false) {
    this.strs = withStrings ? new Array<string>(this.nums.length).fill('') : null;
  }

  /** A block of at least `n` (≥ 1) numbers: its offset (capacity: `Slab.capacity(n)`). */
  alloc(n: number): number {
    const c = classOf(n);
    while (this.freeHeads.length <= c) this.freeHeads.push(-1);
    const head = this.freeHeads[c]!;
    if (head >= 0) {
      this.freeHeads[c] = this.nums[head]!;
      this.freeNums -= capacityOfClass(c);
      return head;
    }
    const cap = capacityOfClass(c);
    const off = this.top;
    if (off + cap > this.nums.length) this.grow(off + cap);
    this.top = off + cap;
    return off;
  }

  /** Returns a block of capacity `cap` (as given by `Slab.capacity`) to its free list; its strings are released. */
  free(off: number, cap: number): void {
    const strs = this.strs;
    if (strs !== null) for (let i = off; i < off + cap; i++) strs[i] = '';
    const c = classOf(cap);
    this.nums[off] = this.freeHeads[c]!;
    this.freeHeads[c] = off;
    this.freeNums += cap;
  }

  /**
   * An eighth of the numbers in use or free are in free blocks (and enough to be worth a pass):
   * blocks freed by symbols that moved to larger ones, shrank or emptied, of classes later
   * requests may not ask for.
   */
  get wasteful(): boolean {
    return this.freeNums * 8 > this.top && this.freeNums > 4096;
  }

  /**
   * Moves every live block down, in offset order, so they follow each other from 0 (no free
   * block left): `owners` are all the structures with blocks here, whose offsets are rewritten.
   * In place (each block moves down), so no second array is held; the room freed is the tail the
   * next blocks are carved from before the slab grows again.
   */
  compact(owners: readonly SlabBlocks[]): void {
    // (Beyond 2^27 numbers or 2^21 slots the keys would not be exact: left as it is.)
    if (this.top >= 2 ** 27 || owners.length > 32 || owners.some((o) => o.cap.length > 2 ** 21)) return;
    // Each block's offset, owner and slot in one sortable double: offset × 2^26 + owner × 2^21 + slot.
    let n = 0;
    for (const o of owners) for (let s = 0; s < o.cap.length; s++) if (o.cap[s]! > 0) n++;
    const keys = new Float64Array(n);
    n = 0;
    owners.forEach((o, i) => {
      for (let s = 0; s < o.cap.length; s++) if (o.cap[s]! > 0) keys[n++] = o.off[s]! * 2 ** 26 + i * 2 ** 21 + s;
    });
    keys.sort();
    const strs = this.strs;
    let top = 0;
    for (let k = 0; k < n; k++) {
      const key = keys[k]!;
      const off = Math.floor(key / 2 ** 26);
      const rest = key - off * 2 ** 26;
      const o = owners[Math.floor(rest / 2 ** 21)]!;
      const s = rest % 2 ** 21;
      const cap = o.cap[s]!;
      if (off !== top) {
        this.nums.copyWithin(top, off, off + cap);
        if (strs !== null) for (let i = 0; i < cap; i++) strs[top + i] = strs[off + i]!;
        o.off[s] = top;
      }
      top += cap;
    }
    if (strs !== null) for (let i = top; i < this.top; i++) strs[i] = '';
    this.top = top;
    this.freeHeads = [];
    this.freeNums = 0;
  }

  /**
   * Moves [off + from, off + to) of a block of capacity `cap` (off −1, cap 0: none yet) to the start of a
   * new block of at least `n` numbers, and frees the old one. Returns the new offset.
   */
  regrow(off: number, cap: number, from: number, to: number, n: number): number {
    const next = this.alloc(n);
    if (cap > 0) {
      this.nums.copyWithin(next, off + from, off + to);
      const strs = this.strs;
      if (strs !== null) for (let i = from; i < to; i++) strs[next + i - from] = strs[off + i]!;
      this.free(off, cap);
    }
    return next;
  }

  /** Moves [off + from, off + to) down to `off` within its block. */
  moveDown(off: number, from: number, to: number): void {
    this.nums.copyWithin(off, off + from, off + to);
    const strs = this.strs;
    if (strs !== null) {
      for (let i = from; i < to; i++) strs[off + i - from] = strs[off + i]!;
      for (let i = to - from; i < to; i++) strs[off + i] = '';
    }
  }

  /** The capacity of the block `alloc(n)` gives. */
  static capacity(n: number): number {
    return capacityOfClass(classOf(n));
  }

  /** Numbers allocated to the slab (used, free or never handed out): for tests and measurements. */
  get length(): number {
    return this.nums.length;
  }

  /**
   * Grows by a quarter, by an eighth once large (at least to `need`): the unused tail is live
   * memory too, and a copy of a large slab is one memcpy.
   */
  private grow(need: number): void {
    const len = Math.max(need, this.nums.length + (this.nums.length >> (this.nums.length < LARGE ? 2 : 3)));
    const nums = new Float64Array(len);
    nums.set(this.nums);
    this.nums = nums;
    const strs = this.strs;
    if (strs !== null) for (let i = strs.length; i < len; i++) strs.push('');
  }
}

/** Size class of the smallest block holding n (≥ 1) numbers. */
function classOf(n: number): number {
  if (n <= 3) return Math.max(0, n - 1);
  // n in [m × 2^k, (m + 1) × 2^k) with m in 4…7; round up to the next class.
  const k = 29 - Math.clz32(n);
  const m = Math.ceil(n / (1 << k));
  return m === 8 ? 3 + 4 * (k + 1) : 3 + 4 * k + (m - 4);
}

function capacityOfClass(c: number): number {
  if (c < 3) return c + 1;
  const k = (c - 3) >> 2;
  return (4 + ((c - 3) & 3)) << k;
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(Slab);
