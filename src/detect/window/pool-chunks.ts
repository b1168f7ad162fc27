import { stateClass } from '../../engine/snapshot.js';

/**
 * Hands out chunks of record positions in storage shared by many owners (the rings of every symbol
 * of a detector): a chunk is a run of `chunkSize(c)` records for a size class c, reused through a
 * free list per class when its owner lets it go. The owners keep only where their chunk starts (an
 * int in a column) instead of a JS array each (~50 B of headers plus the room pushes reserve).
 *
 * The pool knows positions only; the storage (typed arrays, a string array) belongs to the
 * structure using it, which makes it hold `end` records (`grownF64`) after an `alloc`.
 *
 * Rings grow a class at a time, so the chunks they leave behind are of the small classes, which
 * only new symbols need: without compaction the free lists would hold about as much as the live
 * chunks. So once an eighth of the records are free (`wasteful`), the structure moves its live
 * chunks together (`compacted`: it knows its chunks), every free record paying ~8 copies at most.
 */
export class ChunkPool {
  /** Records handed out so far (one past the last chunk ever allocated). */
  end = 0;
  /** Records in free chunks. */
  private freeRecords = 0;
  /** Per class, the starts of chunks free for reuse. */
  private free: number[][] = [];

  constructor(
    /** Records per block of the storage (pool-blocks.ts): no chunk crosses a multiple of it. */
    private readonly block = Infinity,
  ) {}

  /** Start of a chunk of class `c` (chunkSize(c) records). */
  alloc(c: number): number {
    const list = this.free[c];
    const size = chunkSize(c);
    if (list !== undefined && list.length > 0) {
      this.freeRecords -= size;
      return list.pop()!;
    }
    let start = this.end;
    // Not across a block's end: the rest of that block is left unused (at most a chunk's size).
    const room = this.block - (start % this.block);
    if (room < size) start += room;
    this.end = start + size;
    return start;
  }

  /** Gives back the chunk of class `c` at `start`. */
  release(start: number, c: number): void {
    while (this.free.length <= c) this.free.push([]);
    this.free[c]!.push(start);
    this.freeRecords += chunkSize(c);
  }

  /** An eighth of the records or more are in free chunks (and enough to be worth a pass). */
  get wasteful(): boolean {
    return this.freeRecords * 8 > this.end && this.freeRecords > 4096;
  }

  /** The live chunks were moved to [0, end) with nothing free between them. */
  compacted(end: number): void {
    this.end = end;
    this.freeRecords = 0;
    this.free = [];
  }
}

/**
 * Chunk sizes: 1, 2, 3, then each power of two p ≥ 4 and p × 1.25, 1.5, 1.75 (4, 5, 6, 7, 8, 10,
 * 12, 14, 16, 20, ...): a chunk holding n records has at most a fifth of its room empty (powers of
 * two alone: up to half), for ~10% on average over rings of thin symbols (tens of values).
 */
const SIZES: number[] = [1, 2, 3];
for (let p = 4; p <= 2 ** 30; p *= 2) SIZES.push(p, p + p / 4, p + p / 2, p + (3 * p) / 4);
/** IS_SIZE[n]: n is a chunk size (n below its length). */
const IS_SIZE = new Uint8Array(1 << 16);
for (const n of SIZES) if (n < IS_SIZE.length) IS_SIZE[n] = 1;

export function chunkSize(c: number): number {
  return SIZES[c]!;
}

/** Whether n is a chunk size: a ring of n values growing a class at a time has its chunk full. */
export function isChunkSize(n: number): boolean {
  return n < IS_SIZE.length ? IS_SIZE[n] === 1 : SIZES[classFor(n)] === n;
}

/** The smallest class whose chunks hold n records (n ≥ 1). */
export function classFor(n: number): number {
  let c = 0;
  while (SIZES[c]! < n) c++;
  return c;
}

/** The smallest class of a power-of-two size holding n records (for rings indexed by a mask). */
export function pow2ClassFor(n: number): number {
  let c = 0;
  while (SIZES[c]! < n || (SIZES[c]! & (SIZES[c]! - 1)) !== 0) c++;
  return c;
}

/**
 * `a` if it holds `n` values, else a copy holding them with an eighth more room: storage shared by
 * all symbols grows in small steps, so little of it stays empty (copies are rare: it grows with
 * the symbols' total, not per trade).
 */
export function grownF64(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const out = new Float64Array(Math.max(n, a.length + (a.length >> 3) + 64));
  out.set(a);
  return out;
}

/** The same for a column of `unit` ints per slot: its length stays a multiple of `unit`. */
export function grownI32(a: Int32Array<ArrayBuffer>, n: number, unit: number): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const want = Math.max(n, a.length + (a.length >> 3) + 64);
  const out = new Int32Array(want + ((unit - (want % unit)) % unit));
  out.set(a);
  return out;
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(ChunkPool);
