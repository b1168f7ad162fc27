import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleRing } from './sample-ring.js';

test('SampleRing: the median of the last `capacity` values, as sorting them gives', () => {
  let x = 11;
  const r = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const capacity of [1, 2, 7, 64]) {
    const ring = new SampleRing(capacity);
    const all: number[] = [];
    assert.ok(Number.isNaN(ring.median()));
    for (let i = 0; i < 500; i++) {
      const v = r() < 0.3 ? Math.floor(r() * 4) : r() * 10; // ties and fractions
      ring.push(v);
      all.push(v);
      const last = all.slice(-capacity).sort((a, b) => a - b);
      const n = last.length;
      const want = n % 2 === 1 ? last[n >> 1]! : (last[(n >> 1) - 1]! + last[n >> 1]!) / 2;
      assert.equal(ring.size, n);
      assert.equal(ring.median(), want);
    }
  }
});
