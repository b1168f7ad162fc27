import { stateClass } from '../../engine/snapshot.js';
import { BLOCK, ValueBlocks, copyChunk } from './pool-blocks.js';
import { ChunkPool, chunkSize, classFor, grownI32, isChunkSize } from './pool-chunks.js';
import { medianInPlace, scratchOf } from './select.js';

/**
 * Per symbol slot, a sliding window of the last `capacity` values pushed whose median is computed
 * when asked, also for a window that ended a little earlier: "the median as of push number `at`"
 * stays answerable until `capacity` more values have been pushed since (the ring keeps twice the
 * window). So a statistic taken at an event (price_anomaly's typical tick move, at every
 * short-window close) is computed only if and when it is read, with the value computing it at the
 * event would have given. Push number i is at i % (2 × capacity) of the slot's chunk, in a pool
 * shared by every slot (pool-chunks.ts) that grows a class at a time up to 2 × capacity values; a
 * slot keeps two ints in a column (chunk start, values pushed), not an object and an array.
 */
export class SlotSampleRings {
  private readonly pool = new ChunkPool(BLOCK);
  private values = new ValueBlocks(false);
  /** Slot s at 2s: chunk start, values pushed. */
  private meta = new Int32Array(0);

  constructor(readonly capacity: number) {}

  /** Makes `slot`'s ring empty (a new slot, or one reused from a forgotten symbol). */
  open(slot: number): void {
    this.meta = grownI32(this.meta, (slot + 1) * 2, 2);
    this.meta[2 * slot + 1] = 0;
  }

  /** Gives `slot`'s chunk back to the pool (the symbol is forgotten). */
  close(slot: number): void {
    const held = Math.min(this.meta[2 * slot + 1]!, 2 * this.capacity);
    if (held > 0) this.pool.release(this.meta[2 * slot]!, classFor(held));
    this.meta[2 * slot + 1] = 0;
  }

  push(slot: number, v: number): void {
    const slots = 2 * this.capacity;
    const c = this.meta[2 * slot + 1]!;
    if (c < slots) {
      // The chunk is full when c is its class's size: move to the class holding c + 1.
      if (c === 0 || isChunkSize(c)) this.move(slot, c);
    }
    const p = this.meta[2 * slot]! + (c < slots ? c : c % slots);
    this.values.block(p)[this.values.offset(p)] = v;
    this.meta[2 * slot + 1] = c + 1;
  }

  /** Values pushed so far. */
  pushed(slot: number): number {
    return this.meta[2 * slot + 1]!;
  }

  /** How many values the window held when `at` values had been pushed. */
  sizeAt(at: number): number {
    return Math.min(this.capacity, at);
  }

  /**
   * Median of `slot`'s window as it was when `at` values had been pushed (NaN if empty then);
   * needs `at` ≥ pushed − capacity (checked). Values must not be NaN.
   */
  medianAt(slot: number, at: number): number {
    const count = this.pushed(slot);
    if (at < count - this.capacity || at > count) throw new Error(`window at ${at} is no longer held (${count} pushed)`);
    const n = this.sizeAt(at);
    const slots = 2 * this.capacity;
    const start = this.meta[2 * slot]!;
    const chunk = this.values.block(start);
    const o = this.values.offset(start);
    const gathered = scratchOf(n);
    for (let i = 0; i < n; i++) gathered[i] = chunk[o + ((at - n + i) % slots)]!;
    return medianInPlace(gathered, n);
  }

  /** Moves `slot`'s c values to a chunk of the class holding c + 1. */
  private move(slot: number, c: number): void {
    if (this.pool.wasteful) this.compact();
    const start = this.pool.alloc(classFor(c + 1));
    this.values.ensure(this.pool.end);
    if (c > 0) {
      const old = this.meta[2 * slot]!;
      copyChunk(this.values, old, this.values, start, c);
      this.pool.release(old, classFor(c));
    }
    this.meta[2 * slot] = start;
  }

  /** Moves every slot's chunk together, in slot order, into new blocks (see ChunkPool). */
  private compact(): void {
    const meta = this.meta;
    const slots = 2 * this.capacity;
    const old = this.values;
    this.values = old.emptyLike();
    this.pool.compacted(0);
    for (let m = 0; m < meta.length; m += 2) {
      const c = meta[m + 1]!;
      if (c === 0) continue;
      const cls = classFor(Math.min(c, slots));
      const start = this.pool.alloc(cls);
      this.values.ensure(this.pool.end);
      copyChunk(old, meta[m]!, this.values, start, chunkSize(cls));
      meta[m] = start;
    }
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(SlotSampleRings);
