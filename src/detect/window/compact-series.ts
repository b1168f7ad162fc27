import { stateClass } from '../../engine/snapshot.js';

/** The element types a series may use, narrowest first. */
type Store = Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array;

/** Slots allocated at first; the array doubles from there as it fills (up to `capacity`). */
const INITIAL = 16;

/**
 * What every series holds before its first write, shared: an empty typed array is still ≈ 185 B of
 * heap (the array and its ArrayBuffer), and most symbols of a wide universe never close a bucket.
 * Never written to: a write first grows the series into an array of its own.
 */
const EMPTY: Store = new Uint8Array(0);

/**
 * A fixed-capacity array of numbers, indexed from 0, that costs only what it holds: it is allocated
 * small and grows as higher indexes are written (a symbol seen for ten minutes holds ten one-minute
 * buckets, not a day's), and it keeps its values in the narrowest typed array that stores every one
 * of them exactly (bytes for small counts, 16/32-bit integers, float32, else float64), widening when
 * a value does not fit. Reads give back the very doubles written (−0 and NaN included), so anything
 * computed from them is unchanged; only the bytes per slot differ. Per-symbol history rings (pump
 * and dump: 1440 one-minute buckets of volume and trade counts) were most of a symbol's memory.
 *
 * Unwritten slots read 0. `data` is exposed for reading (a median over its first n slots, a sum):
 * its length is the allocated size, at most `capacity`, and changes when the series grows or widens.
 */
export class CompactSeries {
  data: Store = EMPTY;

  constructor(readonly capacity: number) {}

  get(i: number): number {
    return i < this.data.length ? this.data[i]! : 0;
  }

  set(i: number, v: number): void {
    if (i >= this.data.length) this.grow(i + 1);
    const d = this.data;
    d[i] = v;
    // Stored exactly? (Object.is: an integer array gives −0 back as 0; NaN is NaN in float arrays.)
    if (!Object.is(d[i], v)) this.widen(v, i);
  }

  /** Makes room for at least `n` slots: doubling, so a filling series is copied O(log capacity) times. */
  private grow(n: number): void {
    const size = Math.min(this.capacity, Math.max(n, INITIAL, this.data.length * 2));
    const bigger = make(this.data, size);
    bigger.set(this.data);
    this.data = bigger;
  }

  /** Moves to the narrowest element type holding the current values and `v` (to be stored at `i`). */
  private widen(v: number, i: number): void {
    const old = this.data;
    const integral = old instanceof Uint8Array || old instanceof Uint16Array || old instanceof Uint32Array;
    let next: Store;
    if (integral && Number.isInteger(v) && v >= 0 && v <= 0xffffffff && !Object.is(v, -0)) {
      next = v <= 0xffff ? new Uint16Array(old.length) : new Uint32Array(old.length);
    } else if (!(old instanceof Uint32Array) && !(old instanceof Float64Array) && Object.is(Math.fround(v), v)) {
      // Bytes, 16-bit integers and float32 values are all exact in float32 (−0 too).
      next = new Float32Array(old.length);
    } else {
      next = new Float64Array(old.length);
    }
    for (let k = 0; k < old.length; k++) next[k] = old[k]!;
    next[i] = v;
    this.data = next;
  }
}

function make(like: Store, n: number): Store {
  if (like instanceof Uint8Array) return new Uint8Array(n);
  if (like instanceof Uint16Array) return new Uint16Array(n);
  if (like instanceof Uint32Array) return new Uint32Array(n);
  if (like instanceof Float32Array) return new Float32Array(n);
  return new Float64Array(n);
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(CompactSeries);
