import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../../engine/snapshot.js';
import { TimeExtremes } from './time-extremes.js';
import { TimeMax } from './time-max.js';

test('TimeMax: the same maximum as TimeExtremes, late prints, ties, pauses, trims and checkpoints included', () => {
  let x = 5;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const windowMs of [1, 60_000, 300_000]) {
    const te = new TimeExtremes(windowMs);
    let tm = new TimeMax(windowMs);
    let ts = 1_700_000_000_000;
    for (let i = 0; i < 20_000; i++) {
      const u = r();
      // Bursts, pauses longer than the window, and now and then a late print (an earlier time).
      ts += u < 0.02 ? 400_000 : u < 0.05 ? -Math.floor(r() * 90_000) : Math.floor(r() * 3000);
      const v = r() < 0.5 ? 100 + Math.floor(r() * 6) : r() * 1000;
      te.push(ts, v);
      tm.push(ts, v);
      if (r() < 0.01) tm.trim();
      if (r() < 0.002) tm = decodeState(encodeState(tm)) as TimeMax;
      assert.equal(tm.max, te.max, `window ${windowMs}, push ${i}`);
    }
  }
  assert.ok(Number.isNaN(new TimeMax(10).max));
});
