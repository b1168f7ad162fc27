import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { ValueRing } from './value-ring.js';
import { ValueRingPair } from './value-ring-pair.js';

test('ValueRingPair: each ring gives exactly the statistics of a ValueRing, through uneven fills, wrap-around, trims and checkpoints', () => {
  let seed = 555;
  const r = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const capacity of [1, 2, 7, 48, 100]) {
    for (const two of [true, false]) {
      let pair = new ValueRingPair(capacity, two);
      const refs = [new ValueRing(capacity), new ValueRing(capacity)];
      for (let step = 0; step < 600; step++) {
        // Ring 1 fills more slowly (a longer window closes less often); values positive for the logs.
        const k = two && r() < 0.3 ? 1 : 0;
        const v = r() < 0.3 ? 1 + Math.floor(r() * 3) : Math.exp(r() * 8);
        pair.push(k, v);
        refs[k]!.push(v);
        if (r() < 0.02) pair.trim();
        if (r() < 0.005) pair = decodeState(encodeState(pair)) as ValueRingPair;
        for (const j of two ? [0, 1] : [0]) {
          const ref = refs[j]!;
          const at = `capacity ${capacity}, two ${two}, step ${step}, ring ${j}`;
          assert.equal(pair.size(j), ref.size, at);
          assert.equal(pair.median(j), ref.median(), at);
          assert.equal(pair.madSigma(j), ref.madSigma(), at);
          assert.equal(pair.logMedian(j), ref.logMedian(), at);
          assert.equal(pair.logMadSigma(j), ref.logMadSigma(), at);
          assert.equal(pair.quantileAbs(j, 0.8), ref.quantileAbs(0.8), at);
          assert.equal(pair.trimmedMeanAbs(j, 0.1), ref.trimmedMeanAbs(0.1), at);
        }
      }
    }
  }
});

test('ValueRingPair: signed values and zeros (window returns) match ValueRing', () => {
  let seed = 99;
  const r = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pair = new ValueRingPair(100, true);
  const refs = [new ValueRing(100), new ValueRing(100)];
  for (let step = 0; step < 500; step++) {
    const k = r() < 0.5 ? 1 : 0;
    const x = r();
    const v = x < 0.3 ? 0 : x < 0.6 ? Math.round(r() * 4 - 2) * 0.01 : Math.log(r() + 1e-9) * (r() < 0.5 ? -1 : 1);
    pair.push(k, v);
    refs[k]!.push(v);
    for (const j of [0, 1]) {
      assert.equal(pair.median(j), refs[j]!.median());
      assert.equal(pair.madSigma(j), refs[j]!.madSigma());
      assert.equal(pair.quantileAbs(j, 0.8), refs[j]!.quantileAbs(0.8));
      assert.equal(pair.trimmedMeanAbs(j, 0.1), refs[j]!.trimmedMeanAbs(0.1));
    }
  }
});
