import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RobustRing } from '../window/reference/robust.js';
import { RunRings } from './run-ring.js';
import { Slab } from './slab.js';

describe('RunRings', () => {
  it('holds per slot the last values pushed and gives the median a sorted ring gives (runs, wrap-around, long spells, shrinks, compactions, drops)', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const SLOTS = 4;
    for (const capacity of [1, 2, 5, 60]) {
      let rings = new RunRings(new Slab(), capacity);
      const refs: RobustRing[] = [];
      const prices: number[] = [];
      for (let s = 0; s < SLOTS; s++) {
        rings.add(s);
        refs.push(new RobustRing(capacity));
        prices.push(100);
      }
      for (let step = 0; step < 8000; step++) {
        const s = Math.floor(rnd() * rnd() * SLOTS);
        if (rnd() < 0.002) {
          rings.drop(s);
          refs[s] = new RobustRing(capacity);
        }
        if (rnd() < 0.5) prices[s] = Math.round(prices[s]! * (1 + (rnd() - 0.5) / 50) * 100) / 100;
        const r = rnd();
        const times = r < 0.6 ? 1 : r < 0.9 ? 1 + Math.floor(rnd() * 20) : Math.floor(rnd() * 3 * capacity);
        rings.pushRepeated(s, prices[s]!, times);
        for (let i = 0; i < Math.min(times, capacity); i++) refs[s]!.push(prices[s]!);
        if (times > 1) rings.shrink(s);
        for (let k = 0; k < SLOTS; k++) {
          assert.equal(rings.size(k), refs[k]!.size);
          assert.ok(Object.is(rings.median(k), refs[k]!.median()), `capacity ${capacity} slot ${k} step ${step}`);
        }
        if (step % 1999 === 0) rings = decodeState(encodeState(rings)) as RunRings;
        // Blocks (runs and sorted values) moved together by Slab.compact.
        if (step % 701 === 0) (rings as unknown as { slab: Slab }).slab.compact(rings.blocks());
      }
    }
  });

  it('is NaN when empty, and survives a checkpoint', () => {
    const a = new RunRings(new Slab(), 4);
    a.add(0);
    assert.ok(Number.isNaN(a.median(0)));
    a.pushRepeated(0, 3, 2);
    a.pushRepeated(0, 1, 1);
    const b = decodeState(encodeState(a)) as RunRings;
    assert.equal(b.median(0), 3);
    b.pushRepeated(0, 1, 2);
    assert.equal(b.median(0), 1);
    assert.equal(a.median(0), 3);
  });
});
