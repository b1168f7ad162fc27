import { stateClass } from '../../engine/snapshot.js';
import { BLOCK, ValueBlocks, copyChunk } from './pool-blocks.js';
import { ChunkPool, chunkSize, classFor, grownI32, isChunkSize } from './pool-chunks.js';
import { medianInPlace, scratchOf } from './select.js';
import { identity, madSigmaOfSorted, medianOfSorted, quantileOfSorted, sortedOf, trimmedMeanOfSorted } from './value-ring.js';

/**
 * `rings` ValueRings of `capacity` values per symbol slot (ring k: a symbol's window length k),
 * with ValueRing's statistics (tested against it): each ring's values in a chunk of a pool shared
 * by every slot (pool-chunks.ts) that grows a class at a time as the ring fills, and three ints
 * per ring in a column (where its chunk starts, how many values it holds, where the next one goes
 * once full) instead of an object and an array per symbol. Values are kept as float32 while every
 * one pushed is exactly one (volumes of trades in whole units: half the bytes), as doubles for good
 * from the first that is not (pool-blocks.ts).
 */
export class SlotValueRings {
  private readonly pool = new ChunkPool(BLOCK);
  private values = new ValueBlocks(true);
  /** Ring r of slot s at (s × rings + r) × 3: chunk start, values held, next slot to overwrite once full. */
  private meta = new Int32Array(0);

  constructor(
    readonly capacity: number,
    readonly rings: number,
  ) {}

  /** Makes the rings of `slot` (new, or reused from a forgotten symbol) empty. */
  open(slot: number): void {
    this.meta = grownI32(this.meta, (slot + 1) * this.rings * 3, this.rings * 3);
    for (let k = 0; k < this.rings; k++) {
      const m = (slot * this.rings + k) * 3;
      this.meta[m + 1] = 0;
      this.meta[m + 2] = 0;
    }
  }

  /** Gives the chunks of `slot`'s rings back to the pool (the symbol is forgotten). */
  close(slot: number): void {
    for (let k = 0; k < this.rings; k++) {
      const m = (slot * this.rings + k) * 3;
      const n = this.meta[m + 1]!;
      if (n > 0) this.pool.release(this.meta[m]!, classFor(n));
      this.meta[m + 1] = 0;
    }
  }

  size(slot: number, k: number): number {
    return this.meta[(slot * this.rings + k) * 3 + 1]!;
  }

  push(slot: number, k: number, v: number): void {
    const m = (slot * this.rings + k) * 3;
    const meta = this.meta;
    const n = meta[m + 1]!;
    if (n < this.capacity) {
      // The chunk is full when n is a class size: move to the next class.
      if (n === 0 || isChunkSize(n)) this.move(m, n);
      this.set(meta[m]! + n, v);
      meta[m + 1] = n + 1;
      return;
    }
    const next = meta[m + 2]!;
    this.set(meta[m]! + next, v);
    meta[m + 2] = next + 1 === n ? 0 : next + 1;
  }

  /** Ring k's median (NaN when empty): the value a sort gives. */
  median(slot: number, k: number): number {
    const n = this.size(slot, k);
    const start = this.meta[(slot * this.rings + k) * 3]!;
    const chunk = this.values.block(start);
    const o = this.values.offset(start);
    const a = scratchOf(n);
    for (let i = 0; i < n; i++) a[i] = chunk[o + i]!;
    const m = medianInPlace(a, n);
    // Selection does not order −0 and +0; a sort does (as ValueRing.median).
    return m === 0 ? medianOfSorted(this.sorted(slot, k, identity), n) : m;
  }

  madSigma(slot: number, k: number): number {
    return madSigmaOfSorted(this.sorted(slot, k, identity), this.size(slot, k));
  }

  logMedian(slot: number, k: number): number {
    return medianOfSorted(this.sorted(slot, k, Math.log), this.size(slot, k));
  }

  logMadSigma(slot: number, k: number): number {
    return madSigmaOfSorted(this.sorted(slot, k, Math.log), this.size(slot, k));
  }

  /**
   * |v| of ring k's values, ascending, in the shared scratch (valid until the next sort): for a
   * caller that takes several statistics of them (quantileOfSorted, trimmedMeanOfSorted) from one sort.
   */
  sortedAbs(slot: number, k: number): Float64Array {
    return this.sorted(slot, k, Math.abs);
  }

  quantileAbs(slot: number, k: number, q: number): number {
    return quantileOfSorted(this.sorted(slot, k, Math.abs), this.size(slot, k), q);
  }

  trimmedMeanAbs(slot: number, k: number, trim: number): number {
    return trimmedMeanOfSorted(this.sorted(slot, k, Math.abs), this.size(slot, k), trim);
  }

  /**
   * Ring k's i-th oldest value (0 ≤ i < size): in arrival order while the ring is not full, from
   * the oldest on once it is.
   */
  valueAt(slot: number, k: number, i: number): number {
    const m = (slot * this.rings + k) * 3;
    const n = this.meta[m + 1]!;
    const j = n < this.capacity ? i : (this.meta[m + 2]! + i) % n;
    const p = this.meta[m]! + j;
    return this.values.block(p)[this.values.offset(p)]!;
  }

  /** f of ring k's values, ascending, in a shared scratch (see sortedOf). */
  private sorted(slot: number, k: number, f: (x: number) => number): Float64Array {
    const start = this.meta[(slot * this.rings + k) * 3]!;
    return sortedOf(this.values.block(start), this.values.offset(start), this.size(slot, k), f);
  }

  private set(p: number, v: number): void {
    if (!this.values.holds(v)) this.values.widen();
    this.values.block(p)[this.values.offset(p)] = v;
  }

  /** Moves the ring at meta index m, holding n values, to a chunk of the class that holds n + 1. */
  private move(m: number, n: number): void {
    if (this.pool.wasteful) this.compact();
    const start = this.pool.alloc(classFor(n + 1));
    this.values.ensure(this.pool.end);
    if (n > 0) {
      const old = this.meta[m]!;
      copyChunk(this.values, old, this.values, start, n);
      this.pool.release(old, classFor(n));
    }
    this.meta[m] = start;
  }

  /** Moves every ring's chunk together, in slot order, into new blocks (see ChunkPool). */
  private compact(): void {
    const meta = this.meta;
    const old = this.values;
    this.values = old.emptyLike();
    this.pool.compacted(0);
    for (let m = 0; m < meta.length; m += 3) {
      const n = meta[m + 1]!;
      if (n === 0) continue;
      const c = classFor(n);
      const start = this.pool.alloc(c);
      this.values.ensure(this.pool.end);
      copyChunk(old, meta[m]!, this.values, start, chunkSize(c));
      meta[m] = start;
    }
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(SlotValueRings);
