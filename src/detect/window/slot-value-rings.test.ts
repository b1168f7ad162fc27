import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { ValueRing } from './value-ring.js';
import { SlotValueRings } from './slot-value-rings.js';

test('SlotValueRings: each ring of each slot gives exactly the statistics of a ValueRing, through uneven fills, wrap-around, slot reuse and checkpoints', () => {
  let seed = 555;
  const r = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slots = 3;
  for (const capacity of [1, 2, 7, 48, 100]) {
    for (const rings of [1, 2]) {
      let pool = new SlotValueRings(capacity, rings);
      const refs: ValueRing[][] = [];
      for (let s = 0; s < slots; s++) {
        pool.open(s);
        refs.push([new ValueRing(capacity), new ValueRing(capacity)]);
      }
      for (let step = 0; step < 1500; step++) {
        const s = Math.floor(r() * slots);
        // Ring 1 fills more slowly (a longer window closes less often); values positive for the logs.
        const k = rings === 2 && r() < 0.3 ? 1 : 0;
        const v = r() < 0.3 ? 1 + Math.floor(r() * 3) : Math.exp(r() * 8);
        pool.push(s, k, v);
        refs[s]![k]!.push(v);
        if (r() < 0.005) pool = decodeState(encodeState(pool)) as SlotValueRings;
        if (r() < 0.003) {
          pool.close(s);
          pool.open(s);
          refs[s] = [new ValueRing(capacity), new ValueRing(capacity)];
        }
        for (let j = 0; j < rings; j++) {
          const ref = refs[s]![j]!;
          const at = `capacity ${capacity}, rings ${rings}, step ${step}, slot ${s}, ring ${j}`;
          assert.equal(pool.size(s, j), ref.size, at);
          assert.equal(pool.median(s, j), ref.median(), at);
          assert.equal(pool.madSigma(s, j), ref.madSigma(), at);
          assert.equal(pool.logMedian(s, j), ref.logMedian(), at);
          assert.equal(pool.logMadSigma(s, j), ref.logMadSigma(), at);
          assert.equal(pool.quantileAbs(s, j, 0.8), ref.quantileAbs(0.8), at);
          assert.equal(pool.trimmedMeanAbs(s, j, 0.1), ref.trimmedMeanAbs(0.1), at);
        }
      }
    }
  }
});

test('SlotValueRings: signed values and zeros (window returns) match ValueRing', () => {
  let seed = 99;
  const r = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pool = new SlotValueRings(100, 2);
  pool.open(0);
  const refs = [new ValueRing(100), new ValueRing(100)];
  for (let step = 0; step < 500; step++) {
    const k = r() < 0.5 ? 1 : 0;
    const x = r();
    const v = x < 0.3 ? 0 : x < 0.6 ? Math.round(r() * 4 - 2) * 0.01 : Math.log(r() + 1e-9) * (r() < 0.5 ? -1 : 1);
    pool.push(0, k, v);
    refs[k]!.push(v);
    for (const j of [0, 1]) {
      assert.equal(pool.median(0, j), refs[j]!.median());
      assert.equal(pool.madSigma(0, j), refs[j]!.madSigma());
      assert.equal(pool.quantileAbs(0, j, 0.8), refs[j]!.quantileAbs(0.8));
      assert.equal(pool.trimmedMeanAbs(0, j, 0.1), refs[j]!.trimmedMeanAbs(0.1));
    }
  }
});

test('SlotValueRings: many slots growing and forgotten (the pool compacts its chunks), whole values (float32 storage) then fractions (widened), still match ValueRing', () => {
  let seed = 7;
  const r = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slots = 500;
  const pool = new SlotValueRings(48, 2);
  const refs: ValueRing[][] = [];
  for (let s = 0; s < slots; s++) {
    pool.open(s);
    refs.push([new ValueRing(48), new ValueRing(48)]);
  }
  for (let step = 0; step < 60_000; step++) {
    const s = Math.floor(r() * slots);
    const k = r() < 0.5 ? 1 : 0;
    const v = step < 30_000 ? Math.floor(Math.exp(r() * 8)) : Math.exp(r() * 8);
    pool.push(s, k, v);
    refs[s]![k]!.push(v);
    if (r() < 0.002) {
      pool.close(s);
      pool.open(s);
      refs[s] = [new ValueRing(48), new ValueRing(48)];
    }
    const j = Math.floor(r() * slots);
    for (const t of [s, j]) {
      assert.equal(pool.size(t, k), refs[t]![k]!.size);
      assert.equal(pool.median(t, k), refs[t]![k]!.median(), `step ${step}`);
    }
  }
  // All slots at the end, every value in its ring.
  for (let s = 0; s < slots; s++) for (const k of [0, 1]) assert.equal(pool.logMadSigma(s, k), refs[s]![k]!.logMadSigma());
});
