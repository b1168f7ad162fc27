import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianOf } from '../window/select.js';
import { SizeSamples } from './size-samples.js';

/** The ring's median as the selection computes it (the reference the sorted copy must match). */
class Reference {
  readonly ring: number[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {}
  push(v: number): void {
    if (this.ring.length < this.capacity) this.ring.push(v);
    else this.ring[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
  }
  median(): number {
    return medianOf(this.ring, this.ring.length);
  }
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

test('SizeSamples median equals the selection over the ring (ties, growth, wrap, first asked late)', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rnd = lcg(seed);
    const capacity = [1, 2, 3, 7, 16, 256][seed % 6]!;
    const s = new SizeSamples(capacity);
    const ref = new Reference(capacity);
    // Few distinct values (ties), or fractional ones (no ties), or huge ones.
    const kind = seed % 3;
    const draw = (): number =>
      kind === 0 ? 1 + Math.floor(rnd() * 5) * 100 : kind === 1 ? rnd() * 1000 : rnd() < 0.1 ? Infinity : 1e300 * rnd();
    const firstAsk = Math.floor(rnd() * 3 * capacity);
    assert.ok(Number.isNaN(s.median()) || firstAsk > 0);
    for (let i = 0; i < 3000; i++) {
      const v = draw();
      s.push(v);
      ref.push(v);
      if (i >= firstAsk && (rnd() < 0.3 || i === firstAsk)) assert.equal(s.median(), ref.median(), `seed ${seed} step ${i}`);
    }
    assert.equal(s.median(), ref.median());
    assert.equal(s.size, ref.ring.length);
  }
});

test('SizeSamples median: empty is NaN; a NaN held falls back to the selection, then sorts again', () => {
  const s = new SizeSamples(4);
  const ref = new Reference(4);
  assert.ok(Number.isNaN(s.median()));
  const seq = [5, 1, 3, NaN, 2, 8, 9, 4, 7, 6, 10];
  for (const v of seq) {
    s.push(v);
    ref.push(v);
    assert.equal(s.median(), ref.median());
  }
});
