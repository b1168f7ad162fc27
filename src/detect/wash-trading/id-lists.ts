import { stateClass } from '../../engine/snapshot.js';
import { ChunkPool, chunkSize, classFor, grownI32 } from '../window/pool-chunks.js';

/** A list's class while it has no chunk (nothing pushed yet, no room asked for). */
const NO_CHUNK = -1;
/** A free list number's class (its `start` is the next free number). */
const FREE = -2;
const NONE = -1;
/** Ids per block of the storage: 4k (16 KB of references), far more than a list's chunk (`MAX_IDS` is 500). */
const BITS = 12;
const BLOCK = 1 << BITS;
const MASK = BLOCK - 1;

/**
 * Lists of ids that only grow (an episode's first trade ids and its first order ids), each a chunk
 * of storage shared by all the lists (`ChunkPool`), a list being a small integer: its chunk's start
 * and class and its length are in typed columns.
 *
 * wash_trading's episodes each had two arrays of their own, presized to the ids their first offer
 * counts (hundreds in the live feed's burst, where hundreds of episodes are made a second). Every
 * such array lived as long as its episode, so every scavenge meanwhile copied it: they were most
 * of the episodes' bytes that survive a scavenge. The storage is blocks of `BLOCK` ids, made as the
 * lists need room and then old: it grows by a block, never by a copy of itself (one array grown
 * by `push` left a new ~1.4 MB copy to survive each step of the burst).
 *
 * A list that fills its chunk moves to one of the next class (~1.25× the room; the old chunk goes
 * back to the pool, its slots emptied so that no id is held by it). When an eighth of the records
 * are in free chunks, the live lists' chunks are moved together (`ChunkPool.wasteful`).
 */
export class IdLists {
  private readonly blocks: string[][] = [];
  private readonly pool = new ChunkPool(BLOCK);
  /** Per list: its chunk's start, its chunk's class (`NO_CHUNK`, `FREE`), its length. */
  private start = new Int32Array(64);
  private cls = new Int32Array(64);
  private len = new Int32Array(64);
  /** List numbers made so far (all below it), and the first free one. */
  private made = 0;
  private firstFree = NONE;

  constructor() {
    // Written once more at once (as wash_trading's `stateOf`): V8 takes a field no object wrote since
    // it was made for a constant, and the first write much later (the first closed list) threw away
    // the optimized code inlining these methods, to compile it again.
    this.firstFree = NONE;
    this.made = 0;
  }

  /** A new empty list with room for `room` ids (none made for 0). */
  open(room: number): number {
    let list = this.firstFree;
    if (list !== NONE) this.firstFree = this.start[list]!;
    else {
      list = this.made++;
      this.start = grownI32(this.start, this.made, 1);
      this.cls = grownI32(this.cls, this.made, 1);
      this.len = grownI32(this.len, this.made, 1);
    }
    this.len[list] = 0;
    this.cls[list] = NO_CHUNK;
    this.start[list] = 0;
    if (room > 0) this.moveTo(list, classFor(room));
    return list;
  }

  /** The list's length. */
  count(list: number): number {
    return this.len[list]!;
  }

  /** Appends `id`. */
  push(list: number, id: string): void {
    const n = this.len[list]!;
    const c = this.cls[list]!;
    if (c === NO_CHUNK || n === chunkSize(c)) this.moveTo(list, c + 1);
    const p = this.start[list]! + n;
    this.blocks[p >> BITS]![p & MASK] = id;
    this.len[list] = n + 1;
  }

  /** A copy of the list's ids. */
  toArray(list: number): string[] {
    const at = this.start[list]!;
    return this.blocks[at >> BITS]!.slice(at & MASK, (at & MASK) + this.len[list]!);
  }

  /** Gives the list up (its number is then another list's). */
  close(list: number): void {
    this.giveBack(list);
    this.cls[list] = FREE;
    this.start[list] = this.firstFree;
    this.firstFree = list;
    if (this.pool.wasteful) this.compact();
  }

  /** Moves the list to a new chunk of class `c` (its ids copied, its old chunk given back). */
  private moveTo(list: number, c: number): void {
    const at = this.pool.alloc(c);
    ensure(this.blocks, this.pool.end);
    copyIds(this.blocks, this.start[list]!, this.blocks, at, this.len[list]!);
    this.giveBack(list);
    this.start[list] = at;
    this.cls[list] = c;
  }

  /** Gives the list's chunk back to the pool, emptied (no id held by a free chunk). */
  private giveBack(list: number): void {
    const c = this.cls[list]!;
    if (c < 0) return;
    const at = this.start[list]!;
    this.blocks[at >> BITS]!.fill('', at & MASK, (at & MASK) + this.len[list]!);
    this.pool.release(at, c);
  }

  /**
   * Moves the live lists' chunks together, in place: in the order of their starts, each to the
   * first room (as `ChunkPool` places them), which is never after where it was. Blocks past the
   * last chunk are let go; every other slot not in a list is emptied (no id held by free room).
   */
  private compact(): void {
    // Live lists by start: a start (below 2^31) and a list number (below 2^21) in one double each.
    let live = 0;
    for (let list = 0; list < this.made; list++) if (this.cls[list]! >= 0) live++;
    const order = new Float64Array(live);
    live = 0;
    for (let list = 0; list < this.made; list++) if (this.cls[list]! >= 0) order[live++] = this.start[list]! * 2 ** 21 + list;
    order.sort();
    const place = new ChunkPool(BLOCK);
    let end = 0;
    for (let i = 0; i < live; i++) {
      const list = order[i]! % 2 ** 21;
      const c = this.cls[list]!;
      const at = place.alloc(c);
      const n = this.len[list]!;
      if (at > end) this.blocks[end >> BITS]!.fill('', end & MASK, (end & MASK) + (at - end)); // room left at a block's end
      copyIds(this.blocks, this.start[list]!, this.blocks, at, n); // forwards: `at` is not after the start
      this.blocks[at >> BITS]!.fill('', (at & MASK) + n, (at & MASK) + chunkSize(c));
      this.start[list] = at;
      end = place.end;
    }
    this.blocks.length = (end + BLOCK - 1) >> BITS;
    if ((end & MASK) !== 0) this.blocks[end >> BITS]!.fill('', end & MASK);
    this.pool.compacted(end);
  }
}

/** Makes positions [0, n) of the blocks exist (new ones of exact length, holding empty strings). */
function ensure(blocks: string[][], n: number): void {
  while (blocks.length * BLOCK < n) blocks.push(new Array<string>(BLOCK).fill(''));
}

/** Copies n ids from position `from` of `a` to position `to` of `b` (each run within one block). */
function copyIds(a: string[][], from: number, b: string[][], to: number, n: number): void {
  const src = a[from >> BITS]!;
  const dst = b[to >> BITS]!;
  for (let k = 0; k < n; k++) dst[(to & MASK) + k] = src[(from & MASK) + k]!;
}

// Part of wash_trading's checkpointed state.
stateClass(IdLists);
