import { stateClass } from '../../engine/snapshot.js';
import { grown } from '../../engine/grown.js';
import { StringIds } from '../../engine/string-ids.js';

/** Smallest column length, and the fewest classes that trigger a sweep. */
const MIN_CLASSES = 64;
const MIN_SWEEP = 256;

/**
 * One symbol's trade ids as small integers ("classes"), so that its episodes can record the ids they
 * counted in a `SeenTable` instead of a Map keyed by strings: an execution's id is looked up here
 * once (the first time an episode is offered it), not once per episode that counts it.
 *
 * Executions of one id share its class while any of them may still matter: a class is freed (and
 * its number reused) by `sweep`, at a tick, only when every execution given it has left the window
 * and is older than the tick's cutoff for counted ids. Every episode open then forgets ids older
 * than that cutoff from then on, and no later episode can count those executions (they are out of
 * the window), so an episode's entry under a freed class is never again taken as "counted"; an
 * execution of the same id that comes later gets a class of its own, as if its id were new.
 *
 * The classes are the ids' numbers in a `StringIds` (the engine's table of strings by small
 * integer, with its free numbers reused), each held once while its class lives.
 */
export class IdClasses {
  private readonly ids = new StringIds();
  /** Per class: the newest execution number and the latest time given it (newest -1: free). */
  private newest = new Float64Array(MIN_CLASSES).fill(-1);
  private latest = new Float64Array(MIN_CLASSES);
  private sweepAt = MIN_SWEEP;

  get size(): number {
    return this.ids.size;
  }

  /** The class of trade id `id`, of execution number `seq` at `tsMs`. */
  classOf(id: string, seq: number, tsMs: number): number {
    // One lookup: most ids are new. A known one is held once only (its class is freed by one release).
    const c = this.ids.acquire(id);
    if (c >= this.newest.length) {
      const from = this.newest.length;
      this.newest = grown(this.newest, c + 1).fill(-1, from);
      this.latest = grown(this.latest, c + 1);
    }
    if (this.newest[c]! < 0) {
      this.newest[c] = seq;
      this.latest[c] = tsMs;
      return c;
    }
    this.ids.release(c);
    if (seq > this.newest[c]!) this.newest[c] = seq;
    // Not `Math.max`: a NaN time must not hide the others (it never compares as recent).
    if (tsMs > this.latest[c]!) this.latest[c] = tsMs;
    return c;
  }

  /**
   * Frees the classes all of whose executions are numbered before `oldestSeq` (left the window) and
   * timed before `cutoff`. Amortised: only once the classes have doubled since the last sweep.
   */
  sweep(oldestSeq: number, cutoff: number): void {
    if (this.ids.size <= this.sweepAt) return;
    for (let c = 0; c < this.ids.idLimit; c++) {
      if (this.newest[c]! < 0 || this.newest[c]! >= oldestSeq || !(this.latest[c]! < cutoff)) continue;
      this.ids.release(c);
      this.newest[c] = -1;
    }
    this.sweepAt = Math.max(MIN_SWEEP, 2 * this.ids.size);
  }
}

// Part of wash_trading's checkpointed state.
stateClass(IdClasses);
