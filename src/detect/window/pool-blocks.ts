import { stateClass } from '../../engine/snapshot.js';

/** Doubles per block: 256 KB. */
const BITS = 15;
export const BLOCK = 1 << BITS;
const MASK = BLOCK - 1;

/**
 * Storage of a large pool (pool-chunks.ts) as fixed blocks of doubles: it grows by a block, so the
 * values are never copied to a larger array (which for a moment holds both, and the old one until
 * its buffer is freed, tens of MB for the rings of 100k symbols). The pool keeps every chunk
 * inside one block (`ChunkPool` with `BLOCK`), so a chunk is a run of one block: `block(p)`,
 * `offset(p)`.
 */
export class BlockedF64 {
  private readonly blocks: Float64Array[] = [];

  /** Makes positions [0, n) exist. */
  ensure(n: number): void {
    while (this.blocks.length * BLOCK < n) this.blocks.push(new Float64Array(BLOCK));
  }

  /** The block holding position p, and p's index in it. */
  block(p: number): Float64Array {
    return this.blocks[p >> BITS]!;
  }
  offset(p: number): number {
    return p & MASK;
  }
}

/** Copies n values from position `from` of `a` to position `to` of `b` (chunks: each within one block). */
export function copyChunk(a: BlockedF64, from: number, b: BlockedF64, to: number, n: number): void {
  const src = a.block(from);
  const o = a.offset(from);
  b.block(to).set(src.subarray(o, o + n), b.offset(to));
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(BlockedF64);
