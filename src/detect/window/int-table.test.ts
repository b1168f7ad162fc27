import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntTable } from './int-table.js';

describe('IntTable', () => {
  it('agrees with a Map over random adds and deletes of pair keys, growing and shrinking', () => {
    const table = new IntTable();
    const ref = new Map<number, number>();
    // Key k stands for the pair (k % 100, k / 100 rounded down).
    const a = (k: number): number => k % 100;
    const b = (k: number): number => Math.floor(k / 100);
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 200_000; step++) {
      // Phases of mostly adds, then mostly deletes, over a key range that makes long probe runs.
      const adding = Math.floor(step / 20_000) % 2 === 0 ? rand(10) < 7 : rand(10) < 3;
      const key = rand(5_000);
      if (adding && !ref.has(key)) {
        table.add(a(key), b(key), step);
        ref.set(key, step);
      } else if (!adding && ref.has(key)) {
        table.delete(a(key), b(key));
        ref.delete(key);
      }
      if (step % 997 === 0) for (let k = 0; k < 5_000; k++) assert.equal(table.get(a(k), b(k)), ref.get(k) ?? -1);
    }
    assert.equal(table.size, ref.size);
    for (const k of [...ref.keys()]) table.delete(a(k), b(k));
    assert.equal(table.size, 0);
    assert.equal(table.get(7), -1);
  });

  it('keys with one integer are those with b = 0', () => {
    const table = new IntTable();
    table.add(3, 0, 30);
    table.add(3, 1, 31);
    assert.equal(table.get(3), 30);
    assert.equal(table.get(3, 1), 31);
    table.delete(3);
    assert.equal(table.get(3), -1);
    assert.equal(table.get(3, 1), 31);
  });
});
