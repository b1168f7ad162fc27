import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { TradeQueue } from './trade-queue.js';

test('TradeQueue: every trade held reads back by its number through growth, drops (to one trade or none: no arrays), trims and checkpoints', () => {
  let x = 17;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  let q = new TradeQueue();
  const all: { ts: number; qty: number; id: string; buyer: string; seller: string }[] = [];
  let first = 0;
  for (let step = 0; step < 20_000; step++) {
    const u = r();
    if (u < 0.55) {
      const t = {
        ts: 1_700_000_000_000 + step * 1.5,
        qty: r() * 100,
        id: `t${step}`,
        buyer: r() < 0.2 ? '' : `b${step % 7}`,
        seller: `s${step % 5}`,
      };
      q.push(t.ts, t.qty, t.id, t.buyer, t.seller);
      all.push(t);
    } else if (u < 0.95) {
      // The oldest few leave (now and then all of them: a quiet symbol's window empties).
      first = Math.min(all.length, first + Math.floor(r() * 4));
      q.dropBefore(first);
    } else if (u < 0.99) q.trim();
    else q = decodeState(encodeState(q)) as TradeQueue;
    assert.equal(q.next, all.length);
    for (let i = first; i < all.length; i++) {
      const t = all[i]!;
      assert.equal(q.tsMs(i), t.ts);
      assert.equal(q.qty(i), t.qty);
      assert.equal(q.id(i), t.id);
      assert.equal(q.buyer(i), t.buyer);
      assert.equal(q.seller(i), t.seller);
    }
  }
});
