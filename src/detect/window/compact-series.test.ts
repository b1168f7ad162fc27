import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompactSeries } from './compact-series.js';
import { decodeState, encodeState } from '../../engine/snapshot.js';

/** The element type in use (read through a function: TypeScript would narrow `s.data` across calls). */
const kind = (s: CompactSeries): string => s.data.constructor.name;

describe('CompactSeries', () => {
  it('gives back exactly the doubles written, in the narrowest type that holds them', () => {
    const s = new CompactSeries(100);
    assert.equal(s.data.length, 0);
    assert.equal(s.get(7), 0);
    s.set(0, 3);
    assert.equal(kind(s), 'Uint8Array');
    assert.equal(s.data.length, 16);
    s.set(1, 300);
    assert.equal(kind(s), 'Uint16Array');
    s.set(2, 0.5);
    assert.equal(kind(s), 'Float32Array');
    s.set(3, 70000);
    assert.equal(kind(s), 'Float32Array');
    s.set(4, 0.1);
    assert.equal(kind(s), 'Float64Array');
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => s.get(i)),
      [3, 300, 0.5, 70000, 0.1],
    );
    s.set(40, 1);
    assert.equal(s.data.length, 41);
    s.set(99, 2);
    assert.equal(s.data.length, 100);
    assert.equal(s.get(40), 1);
  });

  it('keeps −0, NaN, large integers and every value of a random stream exact', () => {
    const cases: number[][] = [[-0], [1, -0], [NaN], [5, NaN], [70000, 2 ** 32 - 1, 0.25], [2 ** 32], [2 ** 24 + 1, 0.5], [1, 2 ** 53]];
    for (const values of cases) {
      const s = new CompactSeries(values.length);
      values.forEach((v, i) => s.set(i, v));
      values.forEach((v, i) => assert.ok(Object.is(s.get(i), v), `${String(values)} at ${i}`));
    }
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let run = 0; run < 50; run++) {
      const cap = 1 + Math.floor(rnd() * 300);
      const s = new CompactSeries(cap);
      const ref = new Float64Array(cap);
      for (let k = 0; k < 3 * cap; k++) {
        const i = Math.floor(rnd() * cap);
        const r = rnd();
        const v =
          r < 0.4
            ? Math.floor(rnd() * 200)
            : r < 0.6
              ? Math.floor(rnd() * 1e6)
              : r < 0.7
                ? Math.fround(rnd() * 100)
                : r < 0.8
                  ? rnd() * 1e3
                  : 0;
        s.set(i, v);
        ref[i] = v;
        for (let j = 0; j < cap; j++) assert.ok(Object.is(s.get(j), ref[j]), `run ${run} slot ${j}`);
      }
    }
  });

  it('survives a checkpoint', () => {
    const s = new CompactSeries(50);
    s.set(0, 1.5);
    s.set(3, 2);
    const back = decodeState(encodeState({ s })) as { s: CompactSeries };
    assert.ok(back.s instanceof CompactSeries);
    assert.equal(back.s.get(0), 1.5);
    back.s.set(20, 0.1);
    assert.equal(back.s.get(3), 2);
    assert.equal(back.s.get(20), 0.1);
  });
});
