import { stateClass } from '../../engine/snapshot.js';

/** Values per block: 32k (256 KB of doubles). */
const BITS = 15;
export const BLOCK = 1 << BITS;
const MASK = BLOCK - 1;

/**
 * Storage of a large pool (pool-chunks.ts) as fixed blocks of values: it grows by a block, so the
 * values are never copied to a larger array (which for a moment holds both, and the old one until
 * its buffer is freed, tens of MB for the rings of 100k symbols). The pool keeps every chunk
 * inside one block (`ChunkPool` with `BLOCK`), so a chunk is a run of one block: `block(p)`,
 * `offset(p)`.
 *
 * `narrow` storage keeps float32 while every value written is exactly one (the volumes of trades in
 * whole units: half the bytes, the same numbers read back); the writer checks `holds(v)` first, and
 * `widen` turns the blocks into doubles for good when a value is not.
 */
export class ValueBlocks {
  private blocks: (Float32Array | Float64Array)[] = [];

  constructor(private narrow: boolean) {}

  /** Whether v can be written as is (else `widen` first). */
  holds(v: number): boolean {
    return !this.narrow || Math.fround(v) === v;
  }

  /** Doubles from now on (the values held are kept exactly). */
  widen(): void {
    if (!this.narrow) return;
    this.narrow = false;
    this.blocks = this.blocks.map((b) => Float64Array.from(b));
  }

  /** Makes positions [0, n) exist. */
  ensure(n: number): void {
    while (this.blocks.length * BLOCK < n) this.blocks.push(this.narrow ? new Float32Array(BLOCK) : new Float64Array(BLOCK));
  }

  /** An empty storage of the same width (for a compaction). */
  emptyLike(): ValueBlocks {
    return new ValueBlocks(this.narrow);
  }

  /** The block holding position p, and p's index in it. */
  block(p: number): Float32Array | Float64Array {
    return this.blocks[p >> BITS]!;
  }
  offset(p: number): number {
    return p & MASK;
  }
}

/** Copies n values from position `from` of `a` to position `to` of `b` (chunks: each within one block; b as wide as a). */
export function copyChunk(a: ValueBlocks, from: number, b: ValueBlocks, to: number, n: number): void {
  const src = a.block(from);
  const o = a.offset(from);
  b.block(to).set(src.subarray(o, o + n), b.offset(to));
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(ValueBlocks);
