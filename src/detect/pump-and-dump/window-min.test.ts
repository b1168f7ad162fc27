import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { WindowMin } from './window-min.js';
import { TimeExtremes } from '../window/reference/time-extremes.js';

test('WindowMin: the same minimum and time as TimeExtremes (bursts, quiet spells, ties, checkpoints)', () => {
  let x = 11;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const windowMs of [1, 60_000]) {
    let low = new WindowMin(windowMs);
    const time = new TimeExtremes(windowMs);
    let ts = 1_700_000_000_000;
    let trend = 0;
    for (let i = 0; i < 20_000; i++) {
      // Long rising runs grow the deque (and then its array); pauses beyond the window empty it.
      if (r() < 0.01) trend = Math.floor(r() * 3) - 1;
      ts += r() < 0.02 ? 90_000 : Math.floor(r() * 300);
      const v = 100 + trend * (i % 500) + Math.floor(r() * 5);
      low.push(ts, v);
      time.push(ts, v);
      assert.deepEqual([low.min, low.minAtMs], [time.min, time.minAtMs], `window ${windowMs} at ${i}`);
      if (i % 1999 === 0) {
        low = decodeState(encodeState(low)) as WindowMin;
        assert.ok(low instanceof WindowMin);
      }
    }
  }
});

test('WindowMin: empty before the first push', () => {
  const w = new WindowMin(1000);
  assert.ok(Number.isNaN(w.min) && Number.isNaN(w.minAtMs));
});
