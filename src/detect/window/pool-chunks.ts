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

  /** Start of a chunk of class `c` (chunkSize(c) records). */
  alloc(c: number): number {
    const list = this.free[c];
    if (list !== undefined && list.length > 0) {
      this.freeRecords -= chunkSize(c);
      return list.pop()!;
    }
    const start = this.end;
    this.end = start + chunkSize(c);
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
 * Chunk sizes: 1, 2, 3, 4, 6, 8, 12, 16, ... (powers of two and the midpoints between): a chunk
 * holding n records has less than a third of its room empty (a power of two alone: up to half).
 */
const SIZES: number[] = [1];
while (SIZES[SIZES.length - 1]! < 2 ** 30) {
  const last = SIZES[SIZES.length - 1]!;
  SIZES.push(last < 2 ? 2 : (last & (last - 1)) === 0 ? last + last / 2 : (last / 3) * 4);
}

export function chunkSize(c: number): number {
  return SIZES[c]!;
}

/** Whether n is a chunk size (a power of two, or three times one): a ring of n values growing a class at a time has its chunk full. */
export function isChunkSize(n: number): boolean {
  const odd = n % 3 === 0 ? n / 3 : n;
  return (odd & (odd - 1)) === 0;
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
