import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { TightExtremes } from './tight-extremes.js';
import { TimeExtremes } from './reference/time-extremes.js';

test('TightExtremes: the same min, max and times as TimeExtremes (bursts, quiet spells, ties, checkpoints)', () => {
  let x = 11;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const windowMs of [1, 60_000]) {
    let tight = new TightExtremes(windowMs);
    const time = new TimeExtremes(windowMs);
    let ts = 1_700_000_000_000;
    let trend = 0;
    for (let i = 0; i < 20_000; i++) {
      // Long monotone runs grow a deque (and then its array); pauses beyond the window empty it.
      if (r() < 0.01) trend = Math.floor(r() * 3) - 1;
      ts += r() < 0.02 ? 90_000 : Math.floor(r() * 300);
      const v = 100 + trend * (i % 500) + Math.floor(r() * 5);
      tight.push(ts, v);
      time.push(ts, v);
      const got = [tight.min, tight.minAtMs, tight.max, tight.maxAtMs];
      assert.deepEqual(got, [time.min, time.minAtMs, time.max, time.maxAtMs], `window ${windowMs} at ${i}`);
      if (i % 1999 === 0) tight = decodeState(encodeState(tight)) as TightExtremes;
    }
  }
});

test('TightExtremes: empty before the first push', () => {
  const t = new TightExtremes(1000);
  assert.ok(Number.isNaN(t.min) && Number.isNaN(t.max) && Number.isNaN(t.minAtMs) && Number.isNaN(t.maxAtMs));
});
