import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RobustRing } from './reference/robust.js';
import { RunRing } from './run-ring.js';

describe('RunRing', () => {
  it('holds the last values pushed and gives the median a sorted ring gives (runs, wrap-around, long spells)', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const capacity of [1, 2, 5, 60]) {
      const runs = new RunRing(capacity);
      const ring = new RobustRing(capacity);
      let price = 100;
      for (let step = 0; step < 3000; step++) {
        if (rnd() < 0.5) price = Math.round(price * (1 + (rnd() - 0.5) / 50) * 100) / 100;
        const r = rnd();
        const times = r < 0.6 ? 1 : r < 0.9 ? 1 + Math.floor(rnd() * 20) : Math.floor(rnd() * 3 * capacity);
        runs.pushRepeated(price, times);
        for (let i = 0; i < Math.min(times, capacity); i++) ring.push(price);
        assert.equal(runs.size, ring.size);
        assert.ok(Object.is(runs.median(), ring.median()), `capacity ${capacity} step ${step}`);
      }
    }
  });

  it('is NaN when empty, and survives a checkpoint', () => {
    const a = new RunRing(4);
    assert.ok(Number.isNaN(a.median()));
    a.pushRepeated(3, 2);
    a.pushRepeated(1, 1);
    const b = decodeState(encodeState(a)) as RunRing;
    assert.equal(b.median(), 3);
    b.pushRepeated(1, 2);
    assert.equal(b.median(), 1);
    assert.equal(a.median(), 3);
  });
});
