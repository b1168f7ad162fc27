import { stateClass } from '../../engine/snapshot.js';
import { medianOf } from './select.js';

/**
 * The last `capacity` values in arrival order, with their median computed when asked (selection,
 * window/select.ts: the same value a sort gives). For a series pushed far more often than it is
 * read: RobustRing keeps a sorted copy current on every push, which costs more than an occasional
 * selection when reads are rare (price_anomaly's trade-to-trade moves are pushed on every trade and
 * read once per short window), and holds twice the memory an update has to touch.
 */
export class SampleRing {
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

  /** Median of the values held (NaN when empty); values must not be NaN. */
  median(): number {
    return medianOf(this.values, this.values.length);
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(SampleRing);
