import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RecentIds } from '../window/reference/recent-ids.js';
import { RecentIdRings } from './recent-id-ring.js';

test('RecentIdRings: the same ids as RecentIds per slot through expiry by time and by count (down to none), one entry or many, trims, slot reuse and checkpoints', () => {
  let x = 23;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const slots = 3;
  const refs: RecentIds[] = [];
  const tss: number[] = [];
  let rings = new RecentIdRings();
  for (let s = 0; s < slots; s++) {
    refs.push(new RecentIds());
    tss.push(1_700_000_000_000);
    rings.open(s);
  }
  for (let step = 0; step < 60_000; step++) {
    const s = Math.floor(r() * slots);
    // Busy, then thin (most entries alone in the window), then busy again.
    const thin = step >= 15_000 && step < 45_000;
    let ts = tss[s]!;
    ts += r() < 0.03 ? 600_000 : r() < 0.05 ? -Math.floor(r() * 20_000) : Math.floor(r() * (thin ? 400_000 : 5_000));
    tss[s] = ts;
    const ref = refs[s]!;
    ref.push(ts, `t${step}`);
    rings.push(s, ts, `t${step}`);
    const max = r() < 0.5 ? 200 : r() < 0.9 ? 7 : Math.floor(r() * 3);
    ref.expire(ts - 300_000, max);
    rings.expire(s, ts - 300_000, max);
    if (r() < 0.01) rings.trim(s);
    if (r() < 0.002) rings = decodeState(encodeState(rings)) as RecentIdRings;
    if (r() < 0.001) {
      rings.close(s);
      rings.open(s);
      refs[s] = new RecentIds();
    }
    for (let k = 0; k < slots; k++) {
      assert.equal(rings.size(k), refs[k]!.size);
      const from = tss[k]! - Math.floor(r() * 400_000);
      assert.deepEqual(rings.since(k, from), refs[k]!.since(from), `step ${step}`);
    }
  }
});
