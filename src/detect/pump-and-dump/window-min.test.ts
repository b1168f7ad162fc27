import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { WindowMins } from './window-min.js';
import { Slab } from './slab.js';
import { TimeExtremes } from '../window/reference/time-extremes.js';

test('WindowMins: per slot the same minimum and time as TimeExtremes (bursts, quiet spells, trims, ties, drops, compactions, checkpoints)', () => {
  let x = 11;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const windowMs of [1, 60_000]) {
    const SLOTS = 7;
    let lows = new WindowMins(new Slab(), windowMs);
    const refs: TimeExtremes[] = [];
    for (let s = 0; s < SLOTS; s++) {
      lows.add(s);
      refs.push(new TimeExtremes(windowMs));
    }
    let ts = 1_700_000_000_000;
    let trend = 0;
    for (let i = 0; i < 40_000; i++) {
      // Long rising runs grow the deque (and then its block); pauses beyond the window empty it.
      if (r() < 0.01) trend = Math.floor(r() * 3) - 1;
      ts += r() < 0.02 ? 90_000 : Math.floor(r() * 300);
      const s = Math.floor(r() * r() * SLOTS);
      if (r() < 0.001) {
        lows.drop(s);
        refs[s] = new TimeExtremes(windowMs);
      }
      const v = 100 + trend * (i % 500) + Math.floor(r() * 5);
      lows.push(s, ts, v);
      if (r() < 0.05) lows.trim(s, 2);
      refs[s]!.push(ts, v);
      for (let k = 0; k < SLOTS; k++) {
        const ref = refs[k]!;
        assert.deepEqual([lows.min(k), lows.minAtMs(k)], [ref.min, ref.minAtMs], `window ${windowMs} slot ${k} at ${i}`);
      }
      if (i % 701 === 0) (lows as unknown as { slab: Slab }).slab.compact(lows.blocks());
      if (i % 1999 === 0) {
        lows = decodeState(encodeState(lows)) as WindowMins;
        assert.ok(lows instanceof WindowMins);
      }
    }
  }
});

test('WindowMins: empty before the first push', () => {
  const w = new WindowMins(new Slab(), 1000);
  w.add(0);
  assert.ok(Number.isNaN(w.min(0)) && Number.isNaN(w.minAtMs(0)));
});
