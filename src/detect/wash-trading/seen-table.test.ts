import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeenTable } from './seen-table.js';
import { decodeState, encodeState } from '../../engine/snapshot.js';

describe('SeenTable', () => {
  it('agrees with a Map over random sets and prunes, growing from any presize', () => {
    for (const expected of [0, 1, 7, 300]) {
      const table = new SeenTable(expected);
      const ref = new Map<number, number>();
      let seed = 777 + expected;
      const rand = (n: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed % n;
      };
      for (let step = 0; step < 50_000; step++) {
        const c = rand(2_000);
        const ts = step % 101 === 0 ? NaN : rand(100_000);
        table.set(c, ts);
        ref.set(c, ts);
        if (step % 5_000 === 4_999) {
          const cutoff = rand(100_000);
          table.prune(cutoff);
          for (const [k, v] of ref) if (v < cutoff) ref.delete(k);
        }
        if (step % 997 === 0) for (let k = 0; k < 2_000; k++) assert.ok(Object.is(table.get(k), ref.get(k) ?? NaN), `class ${k}`);
      }
      assert.equal(table.size, ref.size);
    }
  });

  it('reports NaN for a class never set, and survives a checkpoint', () => {
    const table = new SeenTable();
    table.set(0, 5);
    table.set(41, 7);
    assert.ok(Number.isNaN(table.get(3)));
    assert.ok(!(table.get(3) >= -Infinity), 'NaN is never taken for a counted id, whatever the cutoff');
    const copy = decodeState(encodeState(table)) as SeenTable;
    assert.ok(copy instanceof SeenTable);
    assert.equal(copy.get(0), 5);
    assert.equal(copy.get(41), 7);
    assert.equal(copy.size, 2);
  });

  it('starts empty on an array another table released', () => {
    const old = new SeenTable(100);
    for (let c = 0; c < 100; c++) old.set(c, 1000 + c);
    old.release();
    assert.equal(old.size, 0);
    assert.ok(Number.isNaN(old.get(5)));
    const table = new SeenTable(100); // of the released one's length
    table.set(7, 3);
    for (let c = 0; c < 100; c++) if (c !== 7) assert.ok(Number.isNaN(table.get(c)), `class ${c}`);
    assert.equal(table.get(7), 3);
    assert.equal(table.size, 1);
  });
});
