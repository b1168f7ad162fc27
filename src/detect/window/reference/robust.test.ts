import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeState, encodeState } from '../../../engine/snapshot.js';
import { RobustRing } from './robust.js';

/** The statistics by full sorts of the last `capacity` values: what the incremental ring must equal exactly. */
function reference(values: number[]): { median: number; mad: number; q80: number; trimmed: number; mean: number } {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const med = (a: Float64Array): number => (a.length % 2 === 1 ? a[a.length >> 1]! : (a[(a.length >> 1) - 1]! + a[a.length >> 1]!) / 2);
  const m = med(sorted);
  const dev = Float64Array.from(values, (v) => Math.abs(v - m)).sort();
  const abs = Float64Array.from(values, (v) => Math.abs(v)).sort();
  const pos = 0.8 * (n - 1);
  const i = Math.floor(pos);
  const q80 = i + 1 < n ? abs[i]! + (pos - i) * (abs[i + 1]! - abs[i]!) : abs[i]!;
  const keep = Math.max(1, Math.ceil(n * 0.9));
  let s = 0;
  for (let k = 0; k < keep; k++) s += abs[k]!;
  return { median: m, mad: 1.4826 * med(dev), q80, trimmed: s / keep, mean: NaN };
}

describe('RobustRing', () => {
  it('gives exactly the statistics of a full sort, through wrap-around, duplicates and negatives', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const capacity of [1, 2, 3, 7, 48, 100]) {
      const ring = new RobustRing(capacity);
      const all: number[] = [];
      for (let step = 0; step < 400; step++) {
        // Mix of tick-like repeated values, zeros and heavy-tailed jumps.
        const r = rnd();
        const v = r < 0.3 ? 0 : r < 0.6 ? Math.round(rnd() * 4 - 2) * 0.01 : Math.log(rnd() + 1e-9) * (rnd() < 0.5 ? -1 : 1);
        ring.push(v);
        all.push(v);
        // Query the absolute statistics only from half-way: the lazily built sorted |values| must catch up.
        const held = all.slice(-capacity);
        const ref = reference(held);
        assert.equal(ring.size, held.length);
        assert.equal(ring.median(), ref.median);
        assert.equal(ring.madSigma(), ref.mad);
        if (step >= 200) {
          assert.equal(ring.quantileAbs(0.8), ref.q80);
          assert.equal(ring.trimmedMeanAbs(0.1), ref.trimmed);
        }
      }
    }
  });

  it('is NaN when empty', () => {
    const ring = new RobustRing(4);
    assert.ok(Number.isNaN(ring.median()) && Number.isNaN(ring.madSigma()) && Number.isNaN(ring.quantileAbs(0.5)));
  });

  it('empty rings share their arrays, also once restored from a checkpoint: a push into one leaves the others empty', () => {
    const [a, b] = decodeState(encodeState([new RobustRing(4), new RobustRing(4)])) as RobustRing[];
    a!.push(3);
    a!.push(1);
    assert.equal(a!.median(), 2);
    assert.equal(b!.size, 0);
    assert.ok(Number.isNaN(b!.median()));
    b!.push(5);
    assert.equal(b!.median(), 5);
    assert.equal(a!.median(), 2);
  });
});
