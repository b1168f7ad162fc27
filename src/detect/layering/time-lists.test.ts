import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { rng } from '../../testing/account-builders.js';
import { TimeLists } from './time-lists.js';

test('time lists in one pool behave as arrays (push, shift, clear, first, last, anyWithin, close), also after a checkpoint', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rand = rng(seed);
    let pool = new TimeLists();
    let lists: number[] = Array.from({ length: 30 }, () => pool.open());
    const ref: number[][] = lists.map(() => []);
    // Mostly ascending times, as events come (a binary search then), sometimes one out of order.
    const unordered = seed % 4 === 0 ? 0.5 : 0.03;
    for (let i = 0; i < 20_000; i++) {
      if (i === 10_000) {
        const decoded = decodeState(encodeState({ pool, lists })) as { pool: TimeLists; lists: number[] };
        pool = decoded.pool;
        lists = decoded.lists;
      }
      const k = Math.floor(rand() * lists.length);
      const list = lists[k]!;
      const r = ref[k]!;
      const op = rand();
      if (op < 0.5) {
        const last = r.length > 0 ? r[r.length - 1]! : Math.floor(rand() * 1_000);
        const t = rand() < unordered ? Math.floor(rand() * 1_000) : last + Math.floor(rand() * 20);
        pool.push(list, t);
        r.push(t);
      } else if (op < 0.7) {
        if (r.length > 0) {
          pool.shift(list);
          r.shift();
        }
      } else if (op < 0.72) {
        pool.clear(list);
        r.length = 0;
      } else if (op < 0.73) {
        // A forgotten owner: its list is closed and another opened (maybe the same number).
        pool.close(list);
        lists[k] = pool.open();
        r.length = 0;
      } else {
        const near = r.length > 0 && rand() < 0.8 ? r[Math.floor(rand() * r.length)]! : Math.floor(rand() * 1_500);
        const from = near - Math.floor(rand() * 40);
        const span = Math.floor(rand() * 50);
        assert.equal(
          pool.anyWithin(lists[k]!, from, span),
          r.some((t) => t >= from && t - from <= span),
          `seed ${seed} step ${i}`,
        );
      }
      assert.equal(pool.length(lists[k]!), r.length);
      if (r.length > 0) {
        assert.equal(pool.first(lists[k]!), r[0]);
        assert.equal(pool.last(lists[k]!), r[r.length - 1]);
      }
    }
    lists.forEach((l, k) => assert.deepEqual(pool.toArray(l), ref[k], `seed ${seed} list ${k}`));
  }
});
