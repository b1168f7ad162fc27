import { stateClass } from '../../engine/snapshot.js';
import { medianOf } from '../window/select.js';

/**
 * The last `capacity` order sizes of one symbol and their median. A light RobustRing: the values
 * are a plain array that grows to `capacity` (most of 100k symbols see few orders; a full 256-slot
 * ring with two scratch typed arrays per symbol was ~6 KB each, and a typed array's fixed overhead
 * dwarfs a few values); the median is window/select.ts's, in its shared scratch buffer. While growing, values
 * sit exactly where a full-size ring would put them, so the median is computed over the same values
 * in the same order (identical results).
 */
export class SizeSamples {
  private readonly values: number[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  push(v: number): void {
    if (this.values.length < this.capacity) this.values.push(v);
    else this.values[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.values.length;
  }

  /** Median of the values held (NaN when empty). */
  median(): number {
    return medianOf(this.values, this.values.length);
  }
}
stateClass(SizeSamples, 'order-book.SizeSamples');
