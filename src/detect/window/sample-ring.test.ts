import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleRing } from './sample-ring.js';

function sortedMedian(values: readonly number[]): number {
  const a = [...values].sort((x, y) => x - y);
  const n = a.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? a[n >> 1]! : (a[(n >> 1) - 1]! + a[n >> 1]!) / 2;
}

test('SampleRing: the median of the window as of any push still held, as sorting it gives', () => {
  let x = 11;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const capacity of [1, 2, 7, 64]) {
    const ring = new SampleRing(capacity);
    const all: number[] = [];
    assert.ok(Number.isNaN(ring.medianAt(0)));
    for (let i = 0; i < 500; i++) {
      const v = r() < 0.3 ? Math.floor(r() * 4) : r() * 10; // ties and fractions
      ring.push(v);
      all.push(v);
      assert.equal(ring.pushed, all.length);
      // Every window still answerable: as of now and up to `capacity` pushes back.
      for (let at = Math.max(0, all.length - capacity); at <= all.length; at++) {
        const window = all.slice(Math.max(0, at - capacity), at);
        assert.equal(ring.sizeAt(at), window.length);
        assert.equal(ring.medianAt(at), sortedMedian(window), `capacity ${capacity}, push ${i}, at ${at}`);
      }
    }
    assert.throws(() => ring.medianAt(all.length - capacity - 1));
  }
});
