import { stateClass } from '../../engine/snapshot.js';
import { ChunkPool, grownF64, grownI32, pow2ClassFor } from './pool-chunks.js';

/**
 * Per symbol slot, a queue of records (`numWidth` numbers and `strWidth` strings each: a trade's
 * time and size, its id and accounts), oldest first. Records are numbered per slot from 0 in
 * arrival order, and record i sits at position i & mask of the slot's ring, a power-of-two chunk
 * of a pool shared by every slot (pool-chunks.ts): nothing moves when the oldest leave, and a thin
 * symbol's queue (a record or two) costs its records and four ints in a column, not an object and
 * two arrays. The ring doubles when full, and shrinks to one record when the drops leave one (or
 * to fit, on `trim`).
 *
 * Callers write and read the records through `nums` and `strs` at a record's position (`append`,
 * `at`): record p's number j at nums[p × numWidth + j], its string j at strs[p × strWidth + j].
 */
export class SlotQueues {
  private readonly pool = new ChunkPool();
  nums = new Float64Array(0);
  strs: string[] = [];
  /** Slot s at s × 4: chunk start, its size (0: no chunk), number of the oldest record held, of the next one. */
  private meta = new Int32Array(0);

  constructor(
    readonly numWidth: number,
    readonly strWidth: number,
  ) {}

  /** Makes `slot`'s queue empty (a new slot, or one reused from a forgotten symbol); numbering starts at 0. */
  open(slot: number): void {
    this.meta = grownI32(this.meta, (slot + 1) * 4, 4);
    const m = slot * 4;
    this.meta[m + 1] = 0;
    this.meta[m + 2] = 0;
    this.meta[m + 3] = 0;
  }

  /** Gives `slot`'s chunk back to the pool (the symbol is forgotten). */
  close(slot: number): void {
    this.dropBefore(slot, this.next(slot));
    const m = slot * 4;
    const size = this.meta[m + 1]!;
    if (size > 0) this.pool.release(this.meta[m]!, pow2ClassFor(size));
    this.meta[m + 1] = 0;
  }

  /** Number of the oldest record held. */
  first(slot: number): number {
    return this.meta[slot * 4 + 2]!;
  }

  /** Number of the next record to come (one past the newest). */
  next(slot: number): number {
    return this.meta[slot * 4 + 3]!;
  }

  /** Position of record i (held: first ≤ i < next). */
  at(slot: number, i: number): number {
    const m = slot * 4;
    return this.meta[m]! + (i & (this.meta[m + 1]! - 1));
  }

  /** Adds a record at the end; returns its position, for the caller to write its fields. */
  append(slot: number): number {
    const m = slot * 4;
    const i = this.meta[m + 3]!;
    const held = i - this.meta[m + 2]!;
    if (held >= this.meta[m + 1]!) this.resize(slot, 2 * held || 1);
    this.meta[m + 3] = i + 1;
    return this.at(slot, i);
  }

  /** Forgets the records numbered below `n` (≤ next). */
  dropBefore(slot: number, n: number): void {
    const m = slot * 4;
    const first = this.meta[m + 2]!;
    if (n <= first) return;
    // No string (a trade id) kept alive by a dead record.
    const w = this.strWidth;
    for (let i = first; i < n; i++) {
      const p = this.at(slot, i) * w;
      for (let j = 0; j < w; j++) this.strs[p + j] = '';
    }
    this.meta[m + 2] = n;
    if (this.meta[m + 3]! - n <= 1 && this.meta[m + 1]! > 1) this.resize(slot, 1);
  }

  /** Shrinks `slot`'s ring to the smallest power of two holding its records (a symbol waiting for its next trade). */
  trim(slot: number): void {
    const m = slot * 4;
    const held = this.meta[m + 3]! - this.meta[m + 2]!;
    let size = 1;
    while (size < held) size *= 2;
    if (size < this.meta[m + 1]!) this.resize(slot, size);
  }

  /** Moves `slot`'s records into a new chunk of `size` records (a power of two ≥ those held), each at its number & (size − 1). */
  private resize(slot: number, size: number): void {
    if (this.pool.wasteful) this.compact();
    const m = slot * 4;
    const start = this.pool.alloc(pow2ClassFor(size));
    const nw = this.numWidth;
    const sw = this.strWidth;
    this.nums = grownF64(this.nums, this.pool.end * nw);
    while (this.strs.length < this.pool.end * sw) this.strs.push('');
    const nums = this.nums;
    const strs = this.strs;
    const mask = size - 1;
    for (let i = this.meta[m + 2]!; i < this.meta[m + 3]!; i++) {
      const from = this.at(slot, i);
      const to = start + (i & mask);
      for (let j = 0; j < nw; j++) nums[to * nw + j] = nums[from * nw + j]!;
      for (let j = 0; j < sw; j++) {
        strs[to * sw + j] = strs[from * sw + j]!;
        strs[from * sw + j] = '';
      }
    }
    const oldSize = this.meta[m + 1]!;
    if (oldSize > 0) this.pool.release(this.meta[m]!, pow2ClassFor(oldSize));
    this.meta[m] = start;
    this.meta[m + 1] = size;
  }

  /** Moves every slot's chunk together, in slot order, into storage of about their size (see ChunkPool). */
  private compact(): void {
    const meta = this.meta;
    const nw = this.numWidth;
    const sw = this.strWidth;
    let live = 0;
    for (let m = 0; m < meta.length; m += 4) live += meta[m + 1]!;
    const nums = new Float64Array(nw * (live + (live >> 3)));
    // The strings: a prefix of the old array (one allocation of exactly the live records, still
    // packed), every place of which is then written from the chunks moved (they tile it). Pushed
    // one by one, the array was reallocated ~25 times on its way to a burst's 100k strings.
    const old = this.strs;
    const strs = old.slice(0, sw * live);
    let end = 0;
    for (let m = 0; m < meta.length; m += 4) {
      const size = meta[m + 1]!;
      if (size === 0) continue;
      const from = meta[m]!;
      nums.set(this.nums.subarray(nw * from, nw * (from + size)), nw * end);
      for (let j = 0; j < sw * size; j++) strs[sw * end + j] = old[sw * from + j]!;
      meta[m] = end;
      end += size;
    }
    this.nums = nums;
    this.strs = strs;
    this.pool.compacted(end);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(SlotQueues);
