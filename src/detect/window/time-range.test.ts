import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { TimeExtremes } from './reference/time-extremes.js';
import { TimeRange } from './time-range.js';

test('TimeRange: per window, the same extremes and times as a TimeExtremes of that length, late prints, ties, pauses, trims and checkpoints included', () => {
  let x = 9;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const [shortMs, longMs] of [
    [1, 1],
    [60_000, 60_000],
    [300_000, 300_000],
    [1, 60_000],
    [60_000, 300_000],
    [20_000, 600_000],
  ] as const) {
    const te = [new TimeExtremes(shortMs), new TimeExtremes(longMs)];
    let tr = new TimeRange(shortMs, longMs);
    let ts = 1_700_000_000_000;
    for (let i = 0; i < 20_000; i++) {
      const u = r();
      ts += u < 0.02 ? 400_000 : u < 0.05 ? -Math.floor(r() * 90_000) : Math.floor(r() * 3000);
      const v = r() < 0.5 ? 100 + Math.floor(r() * 6) : r() * 200;
      te[0]!.push(ts, v);
      te[1]!.push(ts, v);
      tr.push(ts, v);
      if (r() < 0.01) tr.trim();
      if (r() < 0.002) tr = decodeState(encodeState(tr)) as TimeRange;
      for (const k of [0, 1]) {
        const e = te[k]!;
        const want = { min: e.min, minAt: e.minAtMs, max: e.max, maxAt: e.maxAtMs };
        const got = { min: tr.min(k), minAt: tr.minAtMs(k), max: tr.max(k), maxAt: tr.maxAtMs(k) };
        assert.deepEqual(got, want, `windows ${shortMs}/${longMs}, window ${k}, push ${i}`);
      }
    }
  }
  const empty = new TimeRange(10, 10);
  assert.ok(Number.isNaN(empty.min(0)) && Number.isNaN(empty.max(1)) && Number.isNaN(empty.minAtMs(1)) && Number.isNaN(empty.maxAtMs(0)));
  assert.throws(() => new TimeRange(20, 10));
});
