import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { SlotSampleRings } from './slot-sample-rings.js';

function sortedMedian(values: readonly number[]): number {
  const a = [...values].sort((x, y) => x - y);
  const n = a.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? a[n >> 1]! : (a[(n >> 1) - 1]! + a[n >> 1]!) / 2;
}

test('SlotSampleRings: per slot, the median of the window as of any push still held, as sorting it gives (slot reuse and checkpoints included)', () => {
  let x = 11;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slots = 3;
  for (const capacity of [1, 2, 7, 64]) {
    let rings = new SlotSampleRings(capacity);
    const all: number[][] = [];
    for (let s = 0; s < slots; s++) {
      rings.open(s);
      all.push([]);
      assert.ok(Number.isNaN(rings.medianAt(s, 0)));
    }
    for (let i = 0; i < 1500; i++) {
      const s = Math.floor(r() * slots);
      const v = r() < 0.3 ? Math.floor(r() * 4) : r() * 10; // ties and fractions
      rings.push(s, v);
      all[s]!.push(v);
      if (r() < 0.005) rings = decodeState(encodeState(rings)) as SlotSampleRings;
      if (r() < 0.003) {
        rings.close(s);
        rings.open(s);
        all[s] = [];
      }
      const seen = all[s]!;
      assert.equal(rings.pushed(s), seen.length);
      // Every window still answerable: as of now and up to `capacity` pushes back.
      for (let at = Math.max(0, seen.length - capacity); at <= seen.length; at++) {
        const window = seen.slice(Math.max(0, at - capacity), at);
        assert.equal(rings.sizeAt(at), window.length);
        assert.equal(rings.medianAt(s, at), sortedMedian(window), `capacity ${capacity}, push ${i}, at ${at}`);
      }
      if (seen.length > capacity) assert.throws(() => rings.medianAt(s, seen.length - capacity - 1));
    }
  }
});

test('SlotSampleRings: many slots growing and forgotten (the pool compacts its chunks) still give the sorted median', () => {
  let x = 3;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slots = 500;
  const capacity = 64;
  const rings = new SlotSampleRings(capacity);
  const all: number[][] = [];
  for (let s = 0; s < slots; s++) {
    rings.open(s);
    all.push([]);
  }
  for (let i = 0; i < 80_000; i++) {
    const s = Math.floor(r() * slots);
    const v = r() * 10;
    rings.push(s, v);
    all[s]!.push(v);
    if (r() < 0.002) {
      rings.close(s);
      rings.open(s);
      all[s] = [];
    }
    const j = Math.floor(r() * slots);
    for (const t of [s, j]) {
      const seen = all[t]!;
      assert.equal(rings.medianAt(t, seen.length), sortedMedian(seen.slice(-capacity)), `push ${i}`);
    }
  }
});
