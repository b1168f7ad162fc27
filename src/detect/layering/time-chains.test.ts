import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { rng } from '../../testing/account-builders.js';
import { emptyTimeList, TimeChains, type TimeList } from './time-chains.js';

test('time lists in one pool behave as arrays (push, shift, clear, first, last, collectNear), also after a checkpoint', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rand = rng(seed);
    let pool = new TimeChains();
    let lists: TimeList[] = Array.from({ length: 30 }, emptyTimeList);
    const ref: number[][] = lists.map(() => []);
    const out: number[] = []; // reused, as layering does: only its first n slots are read
    for (let i = 0; i < 20_000; i++) {
      if (i === 10_000) {
        const decoded = decodeState(encodeState({ pool, lists })) as { pool: TimeChains; lists: TimeList[] };
        pool = decoded.pool;
        lists = decoded.lists;
      }
      const k = Math.floor(rand() * lists.length);
      const list = lists[k]!;
      const r = ref[k]!;
      const op = rand();
      if (op < 0.55) {
        const t = Math.floor(rand() * 1_000);
        pool.push(list, t);
        r.push(t);
      } else if (op < 0.9) {
        if (r.length > 0) {
          pool.shift(list);
          r.shift();
        }
      } else if (op < 0.95) {
        pool.clear(list);
        r.length = 0;
      } else {
        const from = Math.floor(rand() * 1_000);
        const to = from + Math.floor(rand() * 100);
        const span = Math.floor(rand() * 50);
        const n = pool.collectNear(list, from, to, span, out);
        assert.deepEqual(
          out.slice(0, n),
          r.filter((t) => t >= from && t - to <= span),
        );
      }
      assert.equal(list.length, r.length);
      if (r.length > 0) {
        assert.equal(pool.first(list), r[0]);
        assert.equal(pool.last(list), r[r.length - 1]);
      }
    }
    lists.forEach((l, k) => assert.deepEqual(pool.toArray(l), ref[k], `seed ${seed} list ${k}`));
  }
});
