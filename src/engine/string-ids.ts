import { grown } from './grown.js';
import { stateClass } from './snapshot.js';

const EMPTY = -1;

/**
 * Small integer ids for strings held by reference count, so columns can keep an `Int32` instead of
 * a string pointer: the market context keeps its symbols' slots and its events' accounts and id
 * prefixes here. An id is made by the first `acquire` of its string and forgotten (free for
 * reuse) when the last reference is released, so the table holds exactly the strings in use.
 *
 * Layout, for memory at 100k strings: a `Map<string, number>` costs ≈ 70 B an entry; here an entry
 * is its string pointer, hash and count (16 B) plus 4–8 B of open-addressing table (linear probing,
 * at most half full; removal shifts the entries behind back instead of leaving tombstones).
 * Substrings are looked up in place (`acquire(text, end)`): only a new string is sliced.
 */
export class StringIds {
  /** id → string ('' while free). */
  private names: string[] = [];
  /** id → hash of its string. */
  private hashes = new Int32Array(16);
  /** id → references (0 while free). */
  private refs = new Int32Array(16);
  /**
   * Free ids, a stack in a typed array: a `number[]` that pop and push took up and down across its
   * capacity was reallocated each time, a new backing store that lived on (scavenge survivors).
   */
  private free = new Int32Array(16);
  private freeCount = 0;
  /** Open addressing: an id, or EMPTY. */
  private table = new Int32Array(32).fill(EMPTY);
  private mask = 31;
  private count = 0;
  /**
   * The id last found or acquired (EMPTY: none), tried before hashing: the market context looks up
   * the same symbol, account and id prefix for runs of events (an account's burst of orders), and
   * comparing a few characters costs less than hashing them and probing.
   */
  private recent = EMPTY;

  /** Strings held. */
  get size(): number {
    return this.count;
  }

  /** The id of `text.slice(0, end)`, if it has one. */
  find(text: string, end: number = text.length): number {
    const recent = this.recent;
    if (recent !== EMPTY && this.matches(recent, text, end)) return recent;
    const h = hashOf(text, end);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const id = this.table[i]!;
      if (id === EMPTY) return EMPTY;
      if (this.hashes[id] === h && this.matches(id, text, end)) return (this.recent = id);
    }
  }

  /** The id of `text.slice(0, end)` with one more reference (a new id when it had none). */
  acquire(text: string, end: number = text.length): number {
    const recent = this.recent;
    if (recent !== EMPTY && this.matches(recent, text, end)) {
      this.refs[recent]!++;
      return recent;
    }
    const h = hashOf(text, end);
    let i = h & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const id = this.table[i]!;
      if (id === EMPTY) break;
      if (this.hashes[id] === h && this.matches(id, text, end)) {
        this.refs[id]!++;
        return (this.recent = id);
      }
    }
    const id = this.freeCount > 0 ? this.free[--this.freeCount]! : this.names.length;
    if (id >= this.refs.length) {
      this.refs = grown(this.refs, id + 1);
      this.hashes = grown(this.hashes, id + 1);
    }
    this.names[id] = end === text.length ? text : text.slice(0, end);
    this.hashes[id] = h;
    this.refs[id] = 1;
    this.table[i] = id;
    this.recent = id;
    // At most half full, so probes stay short.
    if (++this.count * 2 > this.table.length) this.rehash(this.table.length * 2);
    return id;
  }

  /** Drops one reference to `id`; the last one forgets it. */
  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    if (id === this.recent) this.recent = EMPTY;
    const mask = this.mask;
    let i = this.hashes[id]! & mask;
    while (this.table[i] !== id) i = (i + 1) & mask;
    // Backward-shift removal: move up every entry behind `i` whose home is not between them.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const other = this.table[j]!;
      if (other === EMPTY) break;
      const home = this.hashes[other]! & mask;
      if ((j - home) & mask) {
        // `other` sits past its home: it may fill the hole at `i` when `i` lies in [home, j).
        if (((i - home) & mask) < ((j - home) & mask)) {
          this.table[i] = other;
          i = j;
        }
      }
    }
    this.table[i] = EMPTY;
    this.names[id] = '';
    if (this.freeCount === this.free.length) this.free = grown(this.free, this.freeCount + 1);
    this.free[this.freeCount++] = id;
    this.count--;
  }

  /** The string of a held id. */
  name(id: number): string {
    return this.names[id]!;
  }

  /** One past the largest id ever given (ids index columns sized to it). */
  get idLimit(): number {
    return this.names.length;
  }

  private matches(id: number, text: string, end: number): boolean {
    const name = this.names[id]!;
    if (name === text) return true;
    if (name.length !== end) return false;
    for (let k = 0; k < end; k++) if (name.charCodeAt(k) !== text.charCodeAt(k)) return false;
    return true;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let id = 0; id < this.names.length; id++) {
      if (this.refs[id] === 0) continue;
      let i = this.hashes[id]! & this.mask;
      while (this.table[i] !== EMPTY) i = (i + 1) & this.mask;
      this.table[i] = id;
    }
  }
}

/** FNV-1a over the first `end` characters, then a finaliser so the low bits (the table index) mix well. */
function hashOf(text: string, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = 0; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

stateClass(StringIds);
