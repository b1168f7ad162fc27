import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RecentIds } from '../window/reference/recent-ids.js';
import { RecentIdRing } from './recent-id-ring.js';

test('RecentIdRing: the same ids as RecentIds through expiry by time and by count (down to none), one entry or many, trims and checkpoints', () => {
  let x = 23;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const ref = new RecentIds();
  let ring = new RecentIdRing();
  let ts = 1_700_000_000_000;
  for (let step = 0; step < 40_000; step++) {
    // Busy, then thin (most entries alone in the window: the arrays come and go), then busy again.
    const thin = step >= 10_000 && step < 30_000;
    ts += r() < 0.03 ? 600_000 : r() < 0.05 ? -Math.floor(r() * 20_000) : Math.floor(r() * (thin ? 400_000 : 5_000));
    ref.push(ts, `t${step}`);
    ring.push(ts, `t${step}`);
    const max = r() < 0.5 ? 200 : r() < 0.9 ? 7 : Math.floor(r() * 3);
    ref.expire(ts - 300_000, max);
    ring.expire(ts - 300_000, max);
    if (r() < 0.01) ring.trim();
    if (r() < 0.002) ring = decodeState(encodeState(ring)) as RecentIdRing;
    assert.equal(ring.size, ref.size);
    const from = ts - Math.floor(r() * 400_000);
    assert.deepEqual(ring.since(from), ref.since(from), `step ${step}`);
  }
});
