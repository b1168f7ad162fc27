import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { RecentIds } from '../window/reference/recent-ids.js';
import { Slab } from './slab.js';
import { TightIds } from './tight-ids.js';

test('TightIds: per slot the same ids as RecentIds (expiry by time and by count, quiet spells, drops, compactions, checkpoints)', () => {
  let x = 5;
  const r = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const SLOTS = 5;
  let tight = new TightIds(new Slab(true));
  const refs: RecentIds[] = [];
  for (let s = 0; s < SLOTS; s++) {
    tight.add(s);
    refs.push(new RecentIds());
  }
  let ts = 1_700_000_000_000;
  for (let i = 0; i < 60_000; i++) {
    ts += r() < 0.01 ? 700_000 : Math.floor(r() * 100);
    const s = Math.floor(r() * r() * SLOTS);
    const ref = refs[s]!;
    if (r() < 0.0005) {
      tight.drop(s);
      refs[s] = new RecentIds();
      continue;
    }
    const max = i < 30_000 ? 50 : 3;
    tight.expire(s, ts - 10_000, max);
    ref.expire(ts - 10_000, max);
    if (r() < 0.9) {
      tight.push(s, ts, `T${i}`);
      ref.push(ts, `T${i}`);
    }
    assert.equal(tight.size(s), ref.size, `at ${i}`);
    if (i % 89 === 0 && tight.size(s) > 0) {
      assert.ok(tight.has(s, ts, `T${i}`) === ref.all().includes(`T${i}`));
      assert.ok(!tight.has(s, ts + 1, `T${i}`));
    }
    if (i % 5003 === 0) {
      tight.clear(s);
      refs[s] = new RecentIds();
    }
    if (i % 97 === 0) for (let k = 0; k < SLOTS; k++) assert.deepEqual(tight.all(k), refs[k]!.all(), `slot ${k} at ${i}`);
    if (i % 2001 === 0) tight = decodeState(encodeState(tight)) as TightIds;
    // Blocks moved together (Slab.compact), ids and all, whenever free ones pile up.
    const slab = (tight as unknown as { slab: Slab }).slab;
    if (slab.wasteful || i % 3001 === 0) slab.compact(tight.blocks());
  }
});
