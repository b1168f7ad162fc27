import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { TimeMax } from './reference/time-max.js';
import { TimeMaxPair } from './time-max-pair.js';

test('TimeMaxPair: the same maxima as two TimeMax, late prints, ties, pauses, trims and checkpoints included', () => {
  let x = 31;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const [w0, w1] of [
    [60_000, 300_000],
    [1, 60_000],
    [60_000, 60_000],
    [1, 1],
    [20_000, 600_000],
  ] as const) {
    const a = new TimeMax(w0);
    const b = new TimeMax(w1);
    let p = new TimeMaxPair(w0, w1);
    let ts = 1_700_000_000_000;
    for (let i = 0; i < 20_000; i++) {
      const u = r();
      ts += u < 0.02 ? 400_000 : u < 0.05 ? -Math.floor(r() * 90_000) : Math.floor(r() * 3000);
      const v = r() < 0.5 ? 100 + Math.floor(r() * 6) : r() * 1000;
      a.push(ts, v);
      b.push(ts, v);
      p.push(ts, v);
      if (r() < 0.01) p.trim();
      if (r() < 0.002) p = decodeState(encodeState(p)) as TimeMaxPair;
      assert.equal(p.max(0), a.max, `windows ${w0}/${w1}, push ${i}`);
      assert.equal(p.max(1), b.max, `windows ${w0}/${w1}, push ${i}`);
    }
  }
  assert.ok(Number.isNaN(new TimeMaxPair(10, 20).max(1)) && Number.isNaN(new TimeMaxPair(10, 20).max(0)));
  assert.throws(() => new TimeMaxPair(20, 10));
});
