import { stateClass } from '../../engine/snapshot.js';
import { bucketOf } from '../window/int-table.js';

/** Smallest table (a power of two). */
const MIN_SLOTS = 8;
/** Spare arrays kept per length, and the longest kept (32 KB): at most ~1 MB in all. */
const MAX_SPARES = 16;
const MAX_SPARE_LENGTH = 4096;

/**
 * An episode's counted trade ids: trade-id class (`IdClasses`, a small non-negative integer) → the
 * time of the last execution counted under it. One `Float64Array` of (class + 1, time) pairs, open
 * addressing with linear probing (0: empty slot; classes, dense small integers, spread over the
 * slots as `IntTable` spreads its keys); no deletion but `prune`, which rebuilds.
 *
 * It replaced a `Map<string, number>` by trade id: on the live feed's burst hundreds of episodes
 * were made per second, each counting the ~100–250 internal executions of its group, and each of
 * those Maps (its growing hash table, and a heap number per time) lived as long as its episode, so
 * every scavenge copied them (3.9 MB of survivors over 40k events). A typed array's bytes are
 * outside the V8 heap and are never copied.
 *
 * Making a typed array is slow, though (a buffer of its own outside the heap, registered with the
 * collector and freed by it), and so is the scavenge of its header: a closed episode's table gives
 * its array back (`release`), and the next tables of that length take it (`spareOf`).
 */
export class SeenTable {
  private slots: Float64Array;
  private count = 0;

  /** Room for `expected` classes without growing. */
  constructor(expected = 0) {
    this.slots = spareOf(2 * slotsFor(expected));
  }

  get size(): number {
    return this.count;
  }

  /** The time recorded under class `c`, or NaN when none is (NaN compares false with any time). */
  get(c: number): number {
    if (this.count === 0) return NaN; // a released table has no slots
    const t = this.slots;
    const mask = (t.length >> 1) - 1;
    for (let i = bucketOf(c, 0, mask); ; i = (i + 1) & mask) {
      const k = t[2 * i]!;
      if (k === c + 1) return t[2 * i + 1]!;
      if (k === 0) return NaN;
    }
  }

  /** Records `tsMs` under class `c` (replacing what was there). */
  set(c: number, tsMs: number): void {
    let t = this.slots;
    if (4 * (this.count + 1) > t.length) {
      this.rebuild(slotsFor(this.count + 1), -Infinity);
      t = this.slots;
    }
    const mask = (t.length >> 1) - 1;
    let i = bucketOf(c, 0, mask);
    for (; ; i = (i + 1) & mask) {
      const k = t[2 * i]!;
      if (k === c + 1) break;
      if (k === 0) {
        t[2 * i] = c + 1;
        this.count++;
        break;
      }
    }
    t[2 * i + 1] = tsMs;
  }

  /** Empties the table and gives its array up for other tables (the table's owner is done with it). */
  release(): void {
    giveSpare(this.slots);
    this.slots = NO_SLOTS;
    this.count = 0;
  }

  /** Drops the entries whose time is before `cutoff` (entries with no comparable time stay, as a Map kept them). */
  prune(cutoff: number): void {
    this.rebuild(slotsFor(this.count), cutoff);
  }

  private rebuild(minSlots: number, cutoff: number): void {
    const old = this.slots;
    let keep = 0;
    for (let j = 0; j < old.length; j += 2) if (old[j] !== 0 && !(old[j + 1]! < cutoff)) keep++;
    const t = spareOf(2 * Math.max(minSlots, slotsFor(keep)));
    const mask = (t.length >> 1) - 1;
    for (let j = 0; j < old.length; j += 2) {
      const k = old[j]!;
      if (k === 0 || old[j + 1]! < cutoff) continue;
      let i = bucketOf((k - 1) | 0, 0, mask); // an integer, as IntTable's keys (a double would deopt bucketOf there)
      while (t[2 * i] !== 0) i = (i + 1) & mask;
      t[2 * i] = k;
      t[2 * i + 1] = old[j + 1]!;
    }
    this.slots = t;
    this.count = keep;
    giveSpare(old);
  }
}

/** A released table's slots (none: `set` makes new ones). */
const NO_SLOTS = new Float64Array(0);

/**
 * Arrays given up by tables, by length (a power of two: index `clz32`), for the next tables of that
 * length. Not state: a table restored from a checkpoint has its own array, and one given up here is
 * no table's.
 */
const spares: Float64Array[][] = [];

/** A zeroed array of `length` numbers (a power of two), a spare one when there is one. */
function spareOf(length: number): Float64Array {
  const list = spares[Math.clz32(length)];
  if (list === undefined || list.length === 0) return new Float64Array(length);
  const a = list.pop()!;
  a.fill(0);
  return a;
}

function giveSpare(a: Float64Array): void {
  if (a.length === 0 || a.length > MAX_SPARE_LENGTH) return;
  const list = (spares[Math.clz32(a.length)] ??= []);
  if (list.length < MAX_SPARES) list.push(a);
}

/** Slots for `n` entries at a load of at most one half. */
function slotsFor(n: number): number {
  let size = MIN_SLOTS;
  while (size < 2 * n) size *= 2;
  return size;
}

// Part of wash_trading's checkpointed state.
stateClass(SeenTable);
