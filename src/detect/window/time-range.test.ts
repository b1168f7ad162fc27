import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { TimeExtremes } from './reference/time-extremes.js';
import { TimeRange } from './time-range.js';

test('TimeRange: the same extremes and times as TimeExtremes, late prints, ties, pauses, trims and checkpoints included', () => {
  let x = 9;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const windowMs of [1, 60_000, 300_000]) {
    const te = new TimeExtremes(windowMs);
    let tr = new TimeRange(windowMs);
    let ts = 1_700_000_000_000;
    for (let i = 0; i < 20_000; i++) {
      const u = r();
      ts += u < 0.02 ? 400_000 : u < 0.05 ? -Math.floor(r() * 90_000) : Math.floor(r() * 3000);
      const v = r() < 0.5 ? 100 + Math.floor(r() * 6) : r() * 200;
      te.push(ts, v);
      tr.push(ts, v);
      if (r() < 0.01) tr.trim();
      if (r() < 0.002) tr = decodeState(encodeState(tr)) as TimeRange;
      const want = { min: te.min, minAt: te.minAtMs, max: te.max, maxAt: te.maxAtMs };
      assert.deepEqual({ min: tr.min, minAt: tr.minAtMs, max: tr.max, maxAt: tr.maxAtMs }, want, `window ${windowMs}, push ${i}`);
    }
  }
  const empty = new TimeRange(10);
  assert.ok(Number.isNaN(empty.min) && Number.isNaN(empty.max) && Number.isNaN(empty.minAtMs) && Number.isNaN(empty.maxAtMs));
});
