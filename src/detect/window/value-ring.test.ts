import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RobustRing } from './reference/robust.js';
import { grownSize, ValueRing } from './value-ring.js';

function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('ValueRing', () => {
  it('gives exactly the statistics of RobustRing, through wrap-around, duplicates, zeros and negatives', () => {
    const r = rng(777);
    for (const capacity of [1, 2, 3, 7, 48, 100]) {
      const ring = new ValueRing(capacity);
      const robust = new RobustRing(capacity);
      for (let step = 0; step < 400; step++) {
        const x = r();
        const v = x < 0.3 ? 0 : x < 0.6 ? Math.round(r() * 4 - 2) * 0.01 : Math.log(r() + 1e-9) * (r() < 0.5 ? -1 : 1);
        ring.push(v);
        robust.push(v);
        assert.equal(ring.size, robust.size);
        assert.equal(ring.median(), robust.median(), `capacity ${capacity} step ${step}`);
        assert.equal(ring.madSigma(), robust.madSigma());
        assert.equal(ring.quantileAbs(0.8), robust.quantileAbs(0.8));
        assert.equal(ring.trimmedMeanAbs(0.1), robust.trimmedMeanAbs(0.1));
        if (step % 5 === 0) ring.trim();
      }
    }
  });

  it("log statistics equal a RobustRing of the values' logs (positive volumes, many ties)", () => {
    const r = rng(4242);
    for (const capacity of [1, 2, 12, 48]) {
      const ring = new ValueRing(capacity);
      const logs = new RobustRing(capacity);
      for (let step = 0; step < 300; step++) {
        const v = r() < 0.4 ? 1 + Math.floor(r() * 5) * 100 : Math.exp(r() * 12) * (1 + r());
        ring.push(v);
        logs.push(Math.log(v));
        assert.equal(ring.logMedian(), logs.median(), `capacity ${capacity} step ${step}`);
        assert.equal(ring.logMadSigma(), logs.madSigma());
      }
    }
  });

  it('is NaN when empty', () => {
    const ring = new ValueRing(4);
    assert.ok(Number.isNaN(ring.median()) && Number.isNaN(ring.madSigma()) && Number.isNaN(ring.logMedian()));
    assert.ok(Number.isNaN(ring.quantileAbs(0.5)) && Number.isNaN(ring.trimmedMeanAbs(0.1)));
  });

  it('round-trips through a checkpoint, empty and part-filled rings included', () => {
    const a = new ValueRing(5);
    const b = new ValueRing(5);
    for (const v of [3, 1, 4]) a.push(v);
    const [a2, b2] = decodeState(encodeState([a, b])) as ValueRing[];
    assert.ok(a2 instanceof ValueRing && b2 instanceof ValueRing);
    for (const v of [1, 5, 9]) {
      a.push(v);
      a2.push(v);
    }
    assert.equal(a2.median(), a.median());
    assert.equal(a2.size, 5);
    b2.push(7);
    assert.equal(b2.median(), 7);
    assert.equal(b.size, 0);
  });
});

it('grownSize: one more plus an eighth, never past the capacity; a ring fills to exactly its capacity', () => {
  assert.deepEqual(
    [0, 1, 7, 8, 16, 20].map((n) => grownSize(n, 100)),
    [1, 2, 8, 10, 19, 23],
  );
  assert.equal(grownSize(99, 100), 100);
  const ring = new ValueRing(37);
  for (let i = 0; i < 37; i++) ring.push(i);
  assert.equal((ring as unknown as { values: number[] }).values.length, 37);
});
