import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { TradeQueues } from './trade-queue.js';

test('TradeQueues: every trade held reads back by its number through growth, drops (to one trade or none), trims, slot reuse and checkpoints', () => {
  let x = 17;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  let q = new TradeQueues();
  interface T {
    ts: number;
    qty: number;
    id: string;
    buyer: string;
    seller: string;
  }
  const slots = 5;
  const all: T[][] = [];
  const first: number[] = [];
  for (let s = 0; s < slots; s++) {
    q.open(s);
    all.push([]);
    first.push(0);
  }
  for (let step = 0; step < 30_000; step++) {
    const s = Math.floor(r() * slots);
    const u = r();
    if (u < 0.55) {
      const t = {
        ts: 1_700_000_000_000 + step * 1.5,
        qty: r() * 100,
        id: `t${step}`,
        buyer: r() < 0.2 ? '' : `b${step % 7}`,
        seller: `s${step % 5}`,
      };
      q.push(s, t.ts, t.qty, t.id, t.buyer, t.seller);
      all[s]!.push(t);
    } else if (u < 0.95) {
      // The oldest few leave (now and then all of them: a quiet symbol's window empties).
      first[s] = Math.min(all[s]!.length, first[s]! + Math.floor(r() * 4));
      q.dropBefore(s, first[s]);
    } else if (u < 0.985) q.trim(s);
    else if (u < 0.995) {
      // The symbol is forgotten; its slot is reused by a new one.
      q.close(s);
      q.open(s);
      all[s] = [];
      first[s] = 0;
    } else q = decodeState(encodeState(q)) as TradeQueues;
    for (let k = 0; k < slots; k++) {
      assert.equal(q.next(k), all[k]!.length);
      assert.equal(q.first(k), first[k]);
      for (let i = first[k]!; i < all[k]!.length; i++) {
        const t = all[k]![i]!;
        assert.equal(q.tsMs(k, i), t.ts);
        assert.equal(q.qty(k, i), t.qty);
        assert.equal(q.id(k, i), t.id);
        assert.equal(q.buyer(k, i), t.buyer);
        assert.equal(q.seller(k, i), t.seller);
      }
    }
  }
});

test('TradeQueues: many slots growing and shrinking (the pool compacts its chunks) read back every trade', () => {
  let x = 29;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slots = 300;
  const q = new TradeQueues();
  const all: string[][] = [];
  const first: number[] = [];
  for (let s = 0; s < slots; s++) {
    q.open(s);
    all.push([]);
    first.push(0);
  }
  for (let step = 0; step < 100_000; step++) {
    const s = Math.floor(r() * slots);
    if (r() < 0.6) {
      const id = `t${step}`;
      q.push(s, step, step / 2, id, 'b', 's');
      all[s]!.push(id);
    } else {
      first[s] = r() < 0.1 ? all[s]!.length : Math.min(all[s]!.length, first[s]! + 1);
      q.dropBefore(s, first[s]);
    }
    const j = Math.floor(r() * slots);
    for (const t of [s, j]) for (let i = first[t]!; i < all[t]!.length; i++) assert.equal(q.id(t, i), all[t]![i], `step ${step}`);
  }
});
